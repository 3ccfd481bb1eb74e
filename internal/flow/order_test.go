package flow

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// The allocation-free comparisons order exactly as the String forms do.
func TestCompareMatchesStringOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	ref := func() WorkloadRef {
		return WorkloadRef{Namespace: pick("a", "a-b", "ab", "b", ""), Kind: Kind(pick("Deployment", "Pod", "")), Name: pick("x", "x-1", "x/y", "")}
	}
	ips := []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("203.0.113.70"), netip.MustParseAddr("fd00:198:18::1"), {}}
	peer := func() Peer {
		p := Peer{Kind: PeerKind(pick(string(PeerWorkload), string(PeerNode), string(PeerAPIServer), string(PeerExternal),
			string(PeerNodeLocalDNS), string(PeerService), string(PeerUnresolved), "Other"))}
		p.Workload, p.IP, p.Node = ref(), ips[r.IntN(len(ips))], pick("", "node-1")
		if r.IntN(2) == 0 {
			p.Service = ServiceRef{Namespace: pick("a", "kube-system"), Name: pick("dns", "d"), Port: int32(r.IntN(3) * 53)}
		}
		return p
	}
	for i := range 20000 {
		a, b := ref(), ref()
		if got, want := compareWorkloads(a, b), cmp.Compare(a.String(), b.String()); got != want {
			t.Fatalf("compareWorkloads(%v, %v) = %d, want %d", a, b, got, want)
		}
		p, q := peer(), peer()
		if got, want := comparePeers(p, q), cmp.Compare(p.String(), q.String()); got != want {
			t.Fatalf("#%d comparePeers(%q, %q) = %d, want %d", i, p, q, got, want)
		}
		if s := string(appendPeer(nil, p)); s != p.String() {
			t.Fatalf("appendPeer = %q, String = %q", s, fmt.Sprint(p))
		}
	}
}
