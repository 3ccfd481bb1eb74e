package observer_test

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// TestProcessIsThreadGroupLeader: connects and datagrams made by a renamed
// worker thread (dig's isc-net-0000) name the process, not the thread.
func TestProcessIsThreadGroupLeader(t *testing.T) {
	o := openObserver(t)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	tcp, udp := netip.AddrPortFrom(server.IPv4, 8080), netip.AddrPortFrom(server.IPv4, 53)
	startHelper(t, server, "named", "serve", "tcp:"+tcp.String(), "udp:"+udp.String())
	_, _ = o.Drain()
	must(t, startHelper(t, client, "dig", "thread", "isc-net-0000", "tcp:"+tcp.String(), "udp:"+udp.String()).Wait())
	want := []flow.Observation{
		{LocalIP: client.IPv4, CgroupID: client.CgroupID, Direction: flow.Egress, Client: client.IPv4,
			Server: server.IPv4, ServerPort: 8080, Protocol: "TCP", Process: "dig", Count: 1},
		{LocalIP: server.IPv4, CgroupID: server.CgroupID, Direction: flow.Ingress, Client: client.IPv4,
			Server: server.IPv4, ServerPort: 8080, Protocol: "TCP", Count: 1},
		udpEgress(client, udp, "dig", 1),
		udpIngress(server, netip.AddrPortFrom(client.IPv4, 0), udp, 1),
	}
	sortObservations(want)
	assertFlows(t, want, collect(t, o, cgroupsOf(client, server), want))
}

// TestManyPendingConnectsKeepProcess: 10,000 connects waiting in SYN_SENT
// at once on one CPU (a policy drops them) all keep their process name,
// with the pending-connect table sized per CPU; each fails as timed out.
func TestManyPendingConnectsKeepProcess(t *testing.T) {
	testutil.RequireRoot(t)
	const n = 10000
	o, err := observer.Open(observer.Config{PendingConnectsPerCPU: 2 * n})
	must(t, err)
	t.Cleanup(func() { o.Close() })
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	dropped := netip.AddrPortFrom(server.IPv4, 8443)
	must(t, node.Drop("tcp", dropped))
	_, _ = o.Drain()
	before, err := o.Stats()
	must(t, err)
	must(t, startHelper(t, client, "scanner", "pending", dropped.String(), strconv.Itoa(n)).Wait())
	want := []flow.Observation{{LocalIP: client.IPv4, CgroupID: client.CgroupID, Direction: flow.Egress,
		Client: client.IPv4, Server: server.IPv4, ServerPort: 8443, Protocol: "TCP", Process: "scanner",
		Failed: n, Failures: flow.Failures{TimedOut: n}}}
	assertFlows(t, want, collect(t, o, cgroupsOf(client, server), want))
	after, err := o.Stats()
	must(t, err)
	if lost := after.ConnectsWithoutProcess - before.ConnectsWithoutProcess; lost != 0 {
		t.Errorf("%d connects lost their process name", lost)
	}
}
