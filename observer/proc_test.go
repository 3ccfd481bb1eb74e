package observer_test

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
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
			Server: server.IPv4, ServerPort: 8080, Protocol: "TCP", Process: "named", Count: 1},
		udpEgress(client, udp, "dig", 1),
		udpIngress(server, netip.AddrPortFrom(client.IPv4, 0), udp, "named", 1),
	}
	sortObservations(want)
	assertFlows(t, want, collect(t, o, cgroupsOf(client, server), want))
}

// TestManyPendingConnectsKeepProcess: 10,000 connects waiting in SYN_SENT
// at once on one CPU (a policy drops them), across drains, all keep their
// process name; each fails as timed out. (A per-CPU table of pending
// connects held 8,192 on this 2-CPU machine, 256 on a 64-CPU node.)
func TestManyPendingConnectsKeepProcess(t *testing.T) {
	const n = 10000
	o := openObserver(t)
	node := netns.NewNode(t)
	client, server := node.AddPod(t, "client"), node.AddPod(t, "server")
	dropped := netip.AddrPortFrom(server.IPv4, 8443)
	must(t, node.Drop("tcp", dropped))
	_, _ = o.Drain()
	before, err := o.Stats()
	must(t, err)
	cgroups, merged := cgroupsOf(client, server), map[string]*flow.Observation{}
	// Drains every 100 ms: each takes every entry out for a moment, and an
	// increment made through a pointer to an entry being taken out is lost
	// (see Drain); ten thousand outcomes in a burst would hit some.
	drainEvery(t, o, 100*time.Millisecond, cgroups, merged, func() {
		must(t, startHelper(t, client, "scanner", "pending", dropped.String(), strconv.Itoa(n)).Wait())
	})
	want := []flow.Observation{{LocalIP: client.IPv4, CgroupID: client.CgroupID, Direction: flow.Egress,
		Client: client.IPv4, Server: server.IPv4, ServerPort: 8443, Protocol: "TCP", Process: "scanner",
		Failed: n, Failures: flow.Failures{TimedOut: n}}}
	assertFlows(t, want, collectInto(t, o, cgroups, want, merged))
	after, err := o.Stats()
	must(t, err)
	// Outcomes that came while a drain had their entries out are counted
	// there and named again by Drain; the flows above show none lost.
	t.Logf("%d outcomes came while their entry was out", after.ConnectsWithoutProcess-before.ConnectsWithoutProcess)
}
