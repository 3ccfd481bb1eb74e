package agent

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// fixedAddrs lists the given prefixes, or fails when err is set.
func fixedAddrs(calls *int, err *error, prefixes ...string) func() ([]net.Addr, error) {
	return func() ([]net.Addr, error) {
		*calls++
		if *err != nil {
			return nil, *err
		}
		var out []net.Addr
		for _, p := range prefixes {
			ip, n, _ := net.ParseCIDR(p)
			out = append(out, &net.IPNet{IP: ip, Mask: n.Mask})
		}
		return out, nil
	}
}

// TestAgentDropsConnectionsFromItsOwnNode: a pod cannot block its own node
// (kubelet probes), so those accepts are never flows; the pod's own
// connects to the node are, since egress policies do apply to them.
func TestAgentDropsConnectionsFromItsOwnNode(t *testing.T) {
	var calls int
	var err error
	a := &Agent{Resolver: localPods(), Logger: slog.New(slog.DiscardHandler),
		Host: &HostAddrs{List: fixedAddrs(&calls, &err, "198.18.0.1/16", "fd00:198:18::1/64"), Every: time.Hour}}
	accept := func(client string) flow.Observation {
		o := observation("198.18.0.10", 1)
		o.Direction, o.Client, o.Server, o.ServerPort = flow.Ingress, netip.MustParseAddr(client), o.LocalIP, 8080
		return o
	}
	toNode := observation("198.18.0.10", 1)
	toNode.Server, toNode.ServerPort = netip.MustParseAddr("198.18.0.1"), 10250
	recs := a.records([]flow.Observation{accept("198.18.0.1"), accept("::ffff:198.18.0.1"), accept("198.18.0.20"), toNode})
	var got []string
	for _, r := range recs {
		got = append(got, string(r.Observation.Direction)+" "+r.Observation.Peer().String())
	}
	want := []string{"Ingress 198.18.0.20", "Egress 198.18.0.1"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("records = %v, want %v", got, want)
	}
}

func TestHostAddrsRefreshesAndKeepsTheLastGoodListing(t *testing.T) {
	var calls int
	var err error
	h := &HostAddrs{List: fixedAddrs(&calls, &err, "198.18.0.1/16"), Every: time.Hour}
	if !h.Contains(netip.MustParseAddr("198.18.0.1")) || h.Contains(netip.MustParseAddr("198.18.0.2")) {
		t.Fatal("Contains does not follow the listing")
	}
	if calls != 1 {
		t.Fatalf("List called %d times within Every, want once", calls)
	}
	h.Every, err = time.Nanosecond, errors.New("netlink: interrupted")
	time.Sleep(time.Microsecond)
	if !h.Contains(netip.MustParseAddr("198.18.0.1")) {
		t.Fatal("a failed listing forgot the host's addresses")
	}
	if calls != 2 {
		t.Fatalf("List called %d times, want 2 (listed again after Every)", calls)
	}
}

// TestHostAddrsListsThisMachine uses the real interface listing: loopback is
// always one of the host's addresses.
func TestHostAddrsListsThisMachine(t *testing.T) {
	if !NewHostAddrs(time.Minute).Contains(netip.MustParseAddr("127.0.0.1")) {
		t.Fatal("the real listing of this machine's addresses has no 127.0.0.1")
	}
}
