package observer_test

import (
	"net/netip"
	"testing"
)

// BenchmarkUDPFloorRatio: the floor of any cgroup_skb observer on the
// 64-byte UDP stream of BenchmarkConnectRateRatio: the rate with a pair of
// programs that only return "pass" attached (egress and ingress, on the
// cgroup v2 root) divided by the rate without them, alternating in the same
// way (ratio_udp_empty_skb: median of the paired rounds).
func BenchmarkUDPFloorRatio(b *testing.B) {
	_, client, server := twoPods(b)
	sink := udpSink(b, server, netip.AddrPortFrom(server.IPv4, 8125))
	empty := skbHooks(b)
	s := &series{name: "udp_empty_skb", off: noPrograms, on: programs{empty.attach, empty.detach},
		run: func() uint64 { return udpStream(b, client, sink, ratioRound) }}
	runPairs(b, s)
	s.report(b)
}
