package policy

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Issue 10 item 4, the exact scenario: a and b in one namespace, a's
// baseline holds egress to b on 8080, b's baseline is empty, and a new
// `podSelector: {}` ingress default deny blocks a→b at b's side. Check must
// report it from a's baseline although a's own egress is not isolated.
func TestCheckReportsFlowsBlockedAtThePeersSide(t *testing.T) {
	aRef := flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: "a"}
	bRef := flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: "b"}
	c := &Cluster{Workloads: map[flow.WorkloadRef]Workload{
		aRef: {Ref: aRef, Labels: map[string]string{"app": "a"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.1")}},
		bRef: {Ref: bRef, Labels: map[string]string{"app": "b"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.2")}},
	}}
	deny := makePolicy("ns", "default-deny", map[string]string{}, types(ing))
	ab := mkFlow(flow.Egress, wl(bRef), corev1.ProtocolTCP, 8080)
	ab.Workload = aRef
	r := Check(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny}, Baselines: []flow.Baseline{
		{Workload: aRef, Flows: []flow.Flow{ab}},
		{Workload: bRef},
	}})
	want := []Finding{{
		Class: ClassPeer, Flow: ab, Policy: "ns/default-deny", PeerSide: true, OwnSideAllowed: true,
		Message: "egress to ns/b TCP 8080 (in-cluster peer) is not allowed at the peer's ingress",
		Fix:     "add an ingress rule to ns/b's policies from namespace ns pods app=a on TCP 8080",
	}}
	if diff := cmp.Diff(want, r.Findings, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// An egress default deny on a workload blocks what another workload
// accepted from it: the ingress flow in the acceptor's baseline is found
// although the acceptor's own ingress is untouched.
func TestCheckReportsIngressFlowsBlockedAtTheSourcesEgress(t *testing.T) {
	c := unitCluster()
	deny := makePolicy("shop", "deny-egress", map[string]string{"app": "web"}, types(egr))
	f := mkFlow(flow.Ingress, wl(webRef), corev1.ProtocolTCP, 8080)
	r := Check(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny},
		Baselines: []flow.Baseline{{Workload: appRef, Flows: []flow.Flow{f}}}})
	if len(r.Findings) != 1 {
		t.Fatalf("findings = %v, want the ingress from web", r.Findings)
	}
	got := r.Findings[0]
	if !got.PeerSide || !got.OwnSideAllowed || got.Fix != "add an egress rule to shop/web's policies to namespace shop pods app=api on TCP 8080" {
		t.Errorf("finding = %+v, want blocked at web's egress with a fix there", got)
	}
}

// A host-network workload's own side is never isolated, but the pod it
// connects to can be: a node agent scraping a pod that gets an ingress
// default deny is blocked.
func TestCheckReportsFlowsOfHostNetworkWorkloads(t *testing.T) {
	c := unitCluster()
	deny := makePolicy("shop", "deny", map[string]string{}, types(ing))
	f := mkFlow(flow.Egress, wl(appRef), corev1.ProtocolTCP, 8080)
	f.Workload = hostRef
	r := Check(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny},
		Baselines: []flow.Baseline{{Workload: hostRef, Flows: []flow.Flow{f}}}})
	if len(r.Findings) != 1 || r.Findings[0].Fix != "add an ingress rule to shop/api's policies from ipBlock 198.18.255.1/32 on TCP 8080 (no pod or namespace selector can match it)" {
		t.Errorf("findings = %+v, want the agent's scrape with an ipBlock fix at api", r.Findings)
	}
}
