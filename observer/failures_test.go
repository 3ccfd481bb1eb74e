package observer_test

import (
	"net/netip"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// TestFailuresSayWhy: a failed connect says why, which means different
// things to a user: refused (nothing listens: RST, or for UDP the ICMP port
// unreachable, the UDP form of a refused connect), timed out (a policy
// drops it), unreachable (a policy rejects it with an ICMP error: any of
// them, port unreachable included, as it is no RST, and though the program
// read and cleared the error before it closed the socket; tcpfail.bpf.c).
// A failed UDP datagram is a failure, not a datagram counted.
func TestFailuresSayWhy(t *testing.T) {
	o := openObserver(t)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	port := func(a netip.Addr, p uint16) netip.AddrPort { return netip.AddrPortFrom(a, p) }
	must(t, node.Drop("tcp", port(server.IPv4, 8443)))
	must(t, node.Reject("udp", port(server.IPv4, 5354)))
	must(t, node.Reject("udp", port(server.IPv6, 5354)))
	rejects := []string{"admin-prohibited", "host-unreachable", "port-unreachable", "no-route"}
	for i, icmp := range rejects {
		must(t, node.RejectWith("tcp", port(server.IPv4, uint16(7001+i)), icmp))
		must(t, node.RejectWith("tcp", port(server.IPv6, uint16(7001+i)), icmp))
	}
	for _, c := range []struct {
		name, mode, spec string
		dst              netip.AddrPort
		proto            string
		want             flow.Failures
	}{
		{"TCP refused", "client", "tcpfail", port(server.IPv4, 9999), "TCP", flow.Failures{Refused: 1}},
		{"TCP timed out", "client", "tcpdrop", port(server.IPv4, 8443), "TCP", flow.Failures{TimedOut: 1}},
		{"UDP refused", "udpfail", "", port(server.IPv4, 5353), "UDP", flow.Failures{Refused: 1}},
		{"UDP refused over IPv6", "udpfail", "", port(server.IPv6, 5353), "UDP", flow.Failures{Refused: 1}},
		{"UDP rejected", "udpfail", "", port(server.IPv4, 5354), "UDP", flow.Failures{Unreachable: 1}},
		{"UDP rejected over IPv6", "udpfail", "", port(server.IPv6, 5354), "UDP", flow.Failures{Unreachable: 1}},
		{"TCP rejected admin-prohibited", "client", "tcpreject", port(server.IPv4, 7001), "TCP", flow.Failures{Unreachable: 1}},
		{"TCP rejected admin-prohibited over IPv6", "client", "tcpreject", port(server.IPv6, 7001), "TCP", flow.Failures{Unreachable: 1}},
		{"TCP rejected host-unreachable", "client", "tcpreject", port(server.IPv4, 7002), "TCP", flow.Failures{Unreachable: 1}},
		{"TCP rejected host-unreachable over IPv6", "client", "tcpreject", port(server.IPv6, 7002), "TCP", flow.Failures{Unreachable: 1}},
		{"TCP rejected port-unreachable", "client", "tcpreject", port(server.IPv4, 7003), "TCP", flow.Failures{Unreachable: 1}},
		{"TCP rejected port-unreachable over IPv6", "client", "tcpreject", port(server.IPv6, 7003), "TCP", flow.Failures{Unreachable: 1}},
		{"TCP rejected no-route", "client", "tcpreject", port(server.IPv4, 7004), "TCP", flow.Failures{Unreachable: 1}},
		{"TCP rejected no-route over IPv6", "client", "tcpreject", port(server.IPv6, 7004), "TCP", flow.Failures{Unreachable: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _ = o.Drain()
			arg := c.dst.String()
			if c.spec != "" {
				arg = c.spec + ":" + arg
			}
			must(t, startHelper(t, client, "prober", c.mode, arg).Wait())
			local := client.IPv4
			if c.dst.Addr().Is6() {
				local = client.IPv6
			}
			want := []flow.Observation{{LocalIP: local, CgroupID: client.CgroupID, Direction: flow.Egress,
				Client: local, Server: c.dst.Addr(), ServerPort: c.dst.Port(), Protocol: protocol(c.proto),
				Process: "prober", Failed: 1, Failures: c.want}}
			assertFlows(t, want, collect(t, o, cgroupsOf(client, server), want))
		})
	}
}
