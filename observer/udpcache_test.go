package observer_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// TestUDPCacheCountsExact: every way a socket's cached counts reach the
// flow table keeps them exact, and the same as without the cache (kernels
// before 5.12); the cache admits a socket at its 4th datagram in a row
// here, and each case sends more: a socket that sent and stays open, idle
// (the drain's iterator); one that sent and closed before any drain (the
// close); an unconnected socket whose peer changes between runs (its slot
// keeps the first flow, the others go to the table); a connected socket
// whose datagrams all fail (the ICMP errors take them off the cached
// count).
func TestUDPCacheCountsExact(t *testing.T) {
	testutil.RequireRoot(t)
	for _, cached := range []bool{true, false} {
		t.Run(cacheName(cached), func(t *testing.T) { udpCacheCases(t, openUDPObserver(t, cached)) })
	}
}

// udpCacheCases runs the cases of TestUDPCacheCountsExact on o, between
// pods of their own (the kernel limits the ICMP errors a peer gets).
func udpCacheCases(t *testing.T, o *observer.Observer) {
	node := netns.NewNode(t)
	client := node.AddPod(t, "client")
	servers := []*netns.Pod{node.AddPod(t, "s1"), node.AddPod(t, "s2")}
	at := func(i int) netip.AddrPort { return netip.AddrPortFrom(servers[i].IPv4, 8125) }
	for i, s := range servers {
		startHelper(t, s, "sink", "serve", "udpsink:"+at(i).String())
	}
	from := netip.AddrPortFrom(client.IPv4, 0)
	closed := netip.AddrPortFrom(servers[0].IPv4, 5353) // nothing listens
	// The refusals need more ICMP errors than the kernel's per-peer limit
	// lets through in a second.
	must(t, servers[0].Run(func() error {
		return os.WriteFile("/proc/sys/net/ipv4/icmp_ratelimit", []byte("0"), 0o644)
	}))
	cgroups := cgroupsOf(client, servers[0], servers[1])
	for _, c := range []struct {
		name string
		run  func(t *testing.T) (done func())
		want []flow.Observation
	}{{
		name: "idle open socket",
		run: func(t *testing.T) func() {
			stop := filepath.Join(t.TempDir(), "stop")
			h := startHelper(t, client, "burster", "burst", at(0).String(), "25", stop)
			return func() { must(t, os.WriteFile(stop, nil, 0o600)); must(t, h.Wait()) }
		},
		want: []flow.Observation{udpEgress(client, at(0), "burster", 25), udpIngress(servers[0], from, at(0), "sink", 25)},
	}, {
		name: "closed before a drain",
		run: func(t *testing.T) func() {
			must(t, startHelper(t, client, "streamer", "stream", at(1).String(), "30", "0").Wait())
			// A closed UDP socket and its storage are freed an RCU grace
			// period later (SOCK_RCU_FREE); until then the drain's
			// iterator still finds them. Let it pass, so that only the
			// close can have carried the counts.
			time.Sleep(200 * time.Millisecond)
			return func() {}
		},
		want: []flow.Observation{udpEgress(client, at(1), "streamer", 30), udpIngress(servers[1], from, at(1), "sink", 30)},
	}, {
		name: "peer changes between runs",
		run: func(t *testing.T) func() {
			must(t, startHelper(t, client, "runner", "runs", "10", at(0).String(), at(1).String(), at(0).String()).Wait())
			return func() {}
		},
		want: []flow.Observation{
			udpEgress(client, at(0), "runner", 20), udpEgress(client, at(1), "runner", 10),
			udpIngress(servers[0], from, at(0), "sink", 20), udpIngress(servers[1], from, at(1), "sink", 10),
		},
	}, {
		name: "every datagram refused",
		run: func(t *testing.T) func() {
			must(t, startHelper(t, client, "prober", "udpfail", closed.String(), "10").Wait())
			return func() {}
		},
		want: []flow.Observation{{LocalIP: client.IPv4, CgroupID: client.CgroupID, Direction: flow.Egress,
			Client: client.IPv4, Server: closed.Addr(), ServerPort: closed.Port(), Protocol: "UDP",
			Process: "prober", Failed: 10, Failures: flow.Failures{Refused: 10}}},
	}} {
		t.Run(c.name, func(t *testing.T) {
			_, _ = o.Drain()
			done := c.run(t)
			sortObservations(c.want)
			assertFlows(t, c.want, collect(t, o, cgroups, c.want))
			done()
		})
	}
}

// testCacheAfter is the cache's admission in these tests: low, so that few
// datagrams (and few ICMP errors, which the kernel limits) reach the cache.
const testCacheAfter = 4

func cacheName(cached bool) string {
	if cached {
		return "cached"
	}
	return "uncached"
}

// openUDPObserver opens an observer with or without the UDP cache; with
// it, the kernel must have the cache (5.12+), or the test fails.
func openUDPObserver(t *testing.T, cached bool) *observer.Observer {
	t.Helper()
	cfg := observer.UDPCacheAfter(observer.Config{}, testCacheAfter)
	if !cached {
		cfg = observer.WithoutUDPCache(cfg)
	}
	o, err := observer.Open(cfg)
	if err != nil {
		t.Fatalf("open observer: %v", err)
	}
	t.Cleanup(func() { o.Close() })
	if o.UDPCacheOn() != cached {
		t.Fatalf("UDP cache on: %v, want %v (the kernel lacks socket storage in cgroup_sock programs?)", o.UDPCacheOn(), cached)
	}
	return o
}

// TestUDPCacheGossip: gossip (serf, memberlist) through the cache: one
// socket a node, probing its peers in turn and acking every probe, so its
// slots change peer at almost every datagram, both ways. Every directed
// edge still counts every datagram sent that way, at both ends.
func TestUDPCacheGossip(t *testing.T) {
	testutil.RequireRoot(t)
	for _, cached := range []bool{true, false} {
		t.Run(cacheName(cached), func(t *testing.T) {
			assertGossip(t, openUDPObserver(t, cached), 12)
		})
	}
}
