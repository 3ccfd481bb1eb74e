package observer_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// TestIngressNamesServerProcess: a server accepts TCP connections and
// receives UDP datagrams, over IPv4 and IPv6, where no task of its own is
// current (softirq); its ingress flows carry its process name, kept on its
// listening and bound sockets, and the client's egress flows the client's.
// A UDP stream received while the observer drains goes through the UDP
// cache (its counts flushed into entries the drains took out). On a kernel
// without socket storage in cgroup_sock programs (OldKernel) ingress flows
// have no name, as before (nor have UDP egress flows there: no task in
// cgroup_skb programs).
func TestIngressNamesServerProcess(t *testing.T) {
	testutil.RequireRoot(t)
	const server = "ingress-srv-7" // a name no other program has
	for _, c := range []struct {
		name    string
		cfg     observer.Config
		process string // the server's name in its ingress flows
		udpComm bool   // UDP egress flows carry the sender's name
	}{
		{"cached", observer.UDPCacheAfter(observer.Config{}, testCacheAfter), server, true},
		{"uncached", observer.WithoutUDPCache(observer.Config{}), server, true},
		{"old kernel", observer.OldKernel(observer.Config{}), "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := observer.Open(c.cfg)
			must(t, err)
			t.Cleanup(func() { o.Close() })
			ingressNames(t, o, server, c.process, c.udpComm)
		})
	}
}

// ingressNames runs TestIngressNamesServerProcess's traffic on o: the
// server, named name, must show as want in its ingress flows, and the
// clients by their names in their UDP egress flows if udpComm.
func ingressNames(t *testing.T, o *observer.Observer, name, want string, udpComm bool) {
	node := netns.NewNode(t)
	client, srv := node.AddPod(t, "client"), node.AddPod(t, "server")
	v4tcp, v6tcp := netip.AddrPortFrom(srv.IPv4, 8080), netip.AddrPortFrom(srv.IPv6, 8080)
	v4udp, v6udp := netip.AddrPortFrom(srv.IPv4, 53), netip.AddrPortFrom(srv.IPv6, 53)
	sink := netip.AddrPortFrom(srv.IPv4, 8125)
	startHelper(t, srv, name, "serve", "tcp:"+v4tcp.String(), "tcp:"+v6tcp.String(),
		"udp:"+v4udp.String(), "udp:"+v6udp.String(), "udpsink:"+sink.String())
	_, _ = o.Drain()
	cgroups, merged := cgroupsOf(client, srv), map[string]*flow.Observation{}
	drainEvery(t, o, 100*time.Millisecond, cgroups, merged, func() {
		must(t, startHelper(t, client, "curl-client", "client", "tcp:"+v4tcp.String(), "tcp:"+v6tcp.String(),
			"udp:"+v4udp.String(), "udp:"+v6udp.String()).Wait())
		must(t, startHelper(t, client, "streamer", "stream", sink.String(), "40", "10").Wait())
	})
	sender := func(name string) string {
		if !udpComm {
			return ""
		}
		return name
	}
	var flows []flow.Observation
	for _, at := range []netip.AddrPort{v4tcp, v6tcp} {
		flows = append(flows, tcpEgress(client, at, "curl-client"), tcpIngress(srv, client, at, want))
	}
	for _, at := range []netip.AddrPort{v4udp, v6udp} {
		from := netip.AddrPortFrom(localOf(client, at), 0)
		flows = append(flows, udpEgress(client, at, sender("curl-client"), 1), udpIngress(srv, from, at, want, 1))
	}
	flows = append(flows, udpEgress(client, sink, sender("streamer"), 40),
		udpIngress(srv, netip.AddrPortFrom(client.IPv4, 0), sink, want, 40))
	sortObservations(flows)
	assertFlows(t, flows, collectInto(t, o, cgroups, flows, merged))
}

// localOf is pod's address of at's family.
func localOf(pod *netns.Pod, at netip.AddrPort) netip.Addr {
	if at.Addr().Is6() {
		return pod.IPv6
	}
	return pod.IPv4
}

func tcpEgress(client *netns.Pod, at netip.AddrPort, process string) flow.Observation {
	local := localOf(client, at)
	return flow.Observation{LocalIP: local, CgroupID: client.CgroupID, Direction: flow.Egress, Client: local,
		Server: at.Addr(), ServerPort: at.Port(), Protocol: "TCP", Process: process, Count: 1}
}

func tcpIngress(server, client *netns.Pod, at netip.AddrPort, process string) flow.Observation {
	return flow.Observation{LocalIP: at.Addr(), CgroupID: server.CgroupID, Direction: flow.Ingress,
		Client: localOf(client, at), Server: at.Addr(), ServerPort: at.Port(), Protocol: "TCP",
		Process: process, Count: 1}
}
