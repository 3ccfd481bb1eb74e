package observer_test

import (
	"net/netip"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// TestHostNetworkPodsToldApartByCgroup: two host-network pods share the
// node's address; their flows carry their cgroup IDs, which the resolver
// maps back to each pod's UID.
func TestHostNetworkPodsToldApartByCgroup(t *testing.T) {
	o := openObserver(t)
	node := netns.NewNode(t)
	web := node.AddPod(t, "web")
	kubelet, exporter := node.AddHostNetworkPod(t, "kubelet"), node.AddHostNetworkPod(t, "exporter")
	nodeIP := netns.GatewayV4
	startHelper(t, kubelet, "kubelet", "serve", "tcp:0.0.0.0:10250")
	startHelper(t, exporter, "exporter", "serve", "tcp:0.0.0.0:9100")
	startHelper(t, web, "web", "serve", "tcp:0.0.0.0:8080")
	_, _ = o.Drain()
	for _, c := range []struct {
		pod  *netns.Pod
		name string
		dst  netip.AddrPort
	}{
		{web, "scraper", netip.AddrPortFrom(nodeIP, 10250)},
		{web, "scraper", netip.AddrPortFrom(nodeIP, 9100)},
		{kubelet, "kubelet", netip.AddrPortFrom(web.IPv4, 8080)},
	} {
		if err := startHelper(t, c.pod, c.name, "client", "tcp:"+c.dst.String()).Wait(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	tcp := func(p *netns.Pod, dir flow.Direction, client, server netip.Addr, port uint16, process string) flow.Observation {
		return flow.Observation{LocalIP: map[flow.Direction]netip.Addr{flow.Egress: client, flow.Ingress: server}[dir],
			CgroupID: p.CgroupID, Direction: dir, Client: client, Server: server, ServerPort: port,
			Protocol: "TCP", Process: process, Count: 1}
	}
	want := []flow.Observation{
		tcp(web, flow.Egress, web.IPv4, nodeIP, 10250, "scraper"),
		tcp(web, flow.Egress, web.IPv4, nodeIP, 9100, "scraper"),
		tcp(kubelet, flow.Ingress, web.IPv4, nodeIP, 10250, "kubelet"),
		tcp(exporter, flow.Ingress, web.IPv4, nodeIP, 9100, "exporter"),
		tcp(kubelet, flow.Egress, nodeIP, web.IPv4, 8080, "kubelet"),
		tcp(web, flow.Ingress, nodeIP, web.IPv4, 8080, "web"),
	}
	sortObservations(want)
	cgroups := map[uint64]bool{web.CgroupID: true, kubelet.CgroupID: true, exporter.CgroupID: true}
	got := collect(t, o, cgroups, want)
	if diff := gocmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Fatalf("observed flows (-want +got):\n%s", diff)
	}
	checkPodUIDs(t, got, map[uint64]string{web.CgroupID: web.UID, kubelet.CgroupID: kubelet.UID, exporter.CgroupID: exporter.UID})
}

func checkPodUIDs(t *testing.T, obs []flow.Observation, want map[uint64]string) {
	t.Helper()
	r, err := cgroups.NewResolver("", cgroups.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ob := range obs {
		uid, ok := r.PodUID(ob.CgroupID)
		if !ok || uid != want[ob.CgroupID] {
			t.Errorf("%s: pod UID %q, %v; want %q", obsKey(ob), uid, ok, want[ob.CgroupID])
		}
	}
}
