package observer_test

import (
	"cmp"
	"net/netip"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

func sortObservations(obs []flow.Observation) {
	slices.SortFunc(obs, func(a, b flow.Observation) int { return cmp.Compare(obsKey(a), obsKey(b)) })
}

// TestObservesPodFlows runs real programs in namespace pods and asserts the
// exact set of flows the observer reports for them: TCP through a Service
// DNAT, UDP DNS through a Service, UDP to 8125, a connect to a closed port,
// one dropped on the way, and IPv6 TCP and UDP — both sides of each, and no replies.
func TestObservesPodFlows(t *testing.T) {
	o := openObserver(t)
	node := netns.NewNode(t)
	web, api := node.AddPod(t, "web"), node.AddPod(t, "api")
	dns, statsd := node.AddPod(t, "dns"), node.AddPod(t, "statsd")
	apiSvc := netip.MustParseAddrPort("198.19.0.10:80")
	dnsSvc := netip.MustParseAddrPort("198.19.0.53:53")
	must(t, node.AddService("tcp", apiSvc, netip.AddrPortFrom(api.IPv4, 8080)))
	must(t, node.AddService("udp", dnsSvc, netip.AddrPortFrom(dns.IPv4, 53)))
	must(t, node.Drop("tcp", netip.AddrPortFrom(api.IPv4, 8443))) // as a policy enforcer would

	startHelper(t, api, "apiserver", "serve", "tcp:0.0.0.0:8080", "tcp:[::]:9090", "tcp:0.0.0.0:8443")
	startHelper(t, dns, "resolver", "serve", "udp:0.0.0.0:53")
	startHelper(t, statsd, "statsd", "serve", "udpsink:0.0.0.0:8125")
	_, _ = o.Drain() // forget whatever happened before the exchanges
	start := time.Now()
	client := startHelper(t, web, "webclient", "client",
		"tcp:"+apiSvc.String(), "tcp:"+apiSvc.String(),
		"udp:"+dnsSvc.String(), "udp:"+dnsSvc.String(), "udp:"+dnsSvc.String(),
		"udp:"+netip.AddrPortFrom(dns.IPv6, 53).String(),
		"udpsend:"+netip.AddrPortFrom(statsd.IPv4, 8125).String(),
		"tcpfail:"+netip.AddrPortFrom(api.IPv4, 9999).String(),
		"tcpdrop:"+netip.AddrPortFrom(api.IPv4, 8443).String(),
		"tcp:"+netip.AddrPortFrom(api.IPv6, 9090).String())
	if err := client.Wait(); err != nil {
		t.Fatalf("client: %v", err)
	}

	want := expectedFlows(web, api, dns, statsd, apiSvc, dnsSvc)
	cgroups := map[uint64]bool{web.CgroupID: true, api.CgroupID: true, dns.CgroupID: true, statsd.CgroupID: true}
	got := collect(t, o, cgroups, want)
	if diff := gocmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("observed flows (-want +got):\n%s", diff)
	}
	end := time.Now()
	for _, ob := range got {
		if ob.FirstSeen.Before(start.Add(-time.Second)) || ob.LastSeen.After(end.Add(time.Second)) || ob.LastSeen.Before(ob.FirstSeen) {
			t.Errorf("%s: seen %v..%v, outside the test's %v..%v", obsKey(ob), ob.FirstSeen, ob.LastSeen, start, end)
		}
	}
}

func expectedFlows(web, api, dns, statsd *netns.Pod, apiSvc, dnsSvc netip.AddrPort) []flow.Observation {
	egress := func(server netip.AddrPort, proto string, count uint64, failed flow.Failures) flow.Observation {
		local := web.IPv4
		if server.Addr().Is6() {
			local = web.IPv6
		}
		return flow.Observation{LocalIP: local, CgroupID: web.CgroupID, Direction: flow.Egress,
			Client: local, Server: server.Addr(), ServerPort: server.Port(), Protocol: protocol(proto),
			Process: "webclient", Count: count, Failed: failed.Refused + failed.TimedOut + failed.Unreachable, Failures: failed}
	}
	// The servers' names (TestObservesPodFlows starts them).
	process := map[*netns.Pod]string{api: "apiserver", dns: "resolver", statsd: "statsd"}
	ingress := func(p *netns.Pod, client, server netip.Addr, port uint16, proto string, count uint64) flow.Observation {
		return flow.Observation{LocalIP: server, CgroupID: p.CgroupID, Direction: flow.Ingress,
			Client: client, Server: server, ServerPort: port, Protocol: protocol(proto), Process: process[p], Count: count}
	}
	ok := flow.Failures{}
	want := []flow.Observation{
		// The client sees the Service; the server, after DNAT, the pod.
		egress(apiSvc, "TCP", 2, ok),
		ingress(api, web.IPv4, api.IPv4, 8080, "TCP", 2),
		// Each DNS query on its own socket; the resolver's replies are no flows.
		egress(dnsSvc, "UDP", 3, ok),
		ingress(dns, web.IPv4, dns.IPv4, 53, "UDP", 3),
		egress(netip.AddrPortFrom(dns.IPv6, 53), "UDP", 1, ok),
		ingress(dns, web.IPv6, dns.IPv6, 53, "UDP", 1),
		// Two datagrams from one socket to one peer: a count of two.
		egress(netip.AddrPortFrom(statsd.IPv4, 8125), "UDP", 2, ok),
		ingress(statsd, web.IPv4, statsd.IPv4, 8125, "UDP", 2),
		// Refused: a failed connect, and nothing on the server side.
		egress(netip.AddrPortFrom(api.IPv4, 9999), "TCP", 0, flow.Failures{Refused: 1}),
		// Dropped on the way: a timed-out connect; the listener never sees it.
		egress(netip.AddrPortFrom(api.IPv4, 8443), "TCP", 0, flow.Failures{TimedOut: 1}),
		egress(netip.AddrPortFrom(api.IPv6, 9090), "TCP", 1, ok),
		ingress(api, web.IPv6, api.IPv6, 9090, "TCP", 1),
	}
	sortObservations(want)
	return want
}

func protocol(p string) corev1.Protocol { return corev1.Protocol(p) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
