package resolve

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// TestServerSideLocalPods: what the ingest asks to check an observer's
// claims: the pod at an IP at a time and its node, host-network pods by
// UID only, live pods' nodes.
func TestServerSideLocalPods(t *testing.T) {
	x := NewIndex(time.Minute, func() time.Time { return t0.Add(time.Hour) })
	web := makePod("shop", "web", "198.18.0.10", t0, nil)
	web.Spec.NodeName = "node-2"
	x.SetPod(web)
	agent := makePod("kube-system", "agent", "198.18.255.1", t0, nil)
	agent.Spec.HostNetwork = true
	x.SetPod(agent)
	ip := netip.MustParseAddr("198.18.0.10")

	if node, w, ok := x.PodAt(ip, t0.Add(time.Minute)); !ok || node != "node-2" || w != (flow.WorkloadRef{Namespace: "shop", Kind: flow.KindPod, Name: "web"}) {
		t.Errorf("PodAt during the pod's life = %q, %v, %v; want node-2's shop/web", node, w, ok)
	}
	if _, _, ok := x.PodAt(ip, t0.Add(-time.Minute)); ok {
		t.Errorf("PodAt before the pod existed found it")
	}
	if _, _, ok := x.PodAt(netip.MustParseAddr("198.18.255.1"), t0.Add(time.Minute)); ok {
		t.Errorf("a host-network pod was found by its (the node's) IP")
	}
	if node, _, ok := x.HostPod(string(agent.UID)); !ok || node != "node-1" {
		t.Errorf("HostPod of the host-network pod = %q, %v; want node-1", node, ok)
	}
	if _, _, ok := x.HostPod(string(web.UID)); ok {
		t.Errorf("HostPod accepted a pod on the pod network")
	}
	if node, ok := x.PodNode(string(web.UID)); !ok || node != "node-2" {
		t.Errorf("PodNode = %q, %v; want node-2", node, ok)
	}
	x.DeletePod(web)
	if _, ok := x.PodNode(string(web.UID)); ok {
		t.Errorf("PodNode still knows a deleted pod")
	}
	if _, _, ok := x.PodAt(ip, t0.Add(time.Minute)); !ok {
		t.Errorf("PodAt forgot a deleted pod's flows from its lifetime within the grace period")
	}
}
