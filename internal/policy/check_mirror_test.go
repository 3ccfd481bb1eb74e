package policy

import (
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// One connection observed at both ends (a's egress to b, b's ingress from
// a: on a real cluster both nodes' observers see it) and blocked at a's own
// egress is one finding, from a's baseline: b's copy, blocked only at the
// peer's side, repeated it (the demo's kubectl apply printed "coredns:
// ingress from javaapp UDP 53 ... at the peer's egress" beside javaapp's
// own DNS warning).
func TestCheckReportsAConnectionSeenAtBothEndsOnce(t *testing.T) {
	aRef := flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: "a"}
	bRef := flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: "b"}
	c := &Cluster{Workloads: map[flow.WorkloadRef]Workload{
		aRef: {Ref: aRef, Labels: map[string]string{"app": "a"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.1")}},
		bRef: {Ref: bRef, Labels: map[string]string{"app": "b"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.2")}},
	}}
	deny := makePolicy("ns", "a-no-egress", map[string]string{"app": "a"}, types(egr))
	ab := mkFlow(flow.Egress, wl(bRef), corev1.ProtocolTCP, 8080)
	ab.Workload = aRef
	ba := mkFlow(flow.Ingress, wl(aRef), corev1.ProtocolTCP, 8080)
	ba.Workload = bRef
	in := CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny}, Baselines: []flow.Baseline{
		{Workload: aRef, Flows: []flow.Flow{ab}},
		{Workload: bRef, Flows: []flow.Flow{ba}},
	}}
	r := Check(in)
	if len(r.Findings) != 1 || r.Findings[0].Flow.Workload != aRef || r.Findings[0].PeerSide {
		t.Fatalf("findings = %+v, want one: a's egress blocked at its own side", r.Findings)
	}
	// Seen only at b (a's baseline lacks it): still found, from b's side.
	in.Baselines[0].Flows = nil
	r = Check(in)
	if len(r.Findings) != 1 || r.Findings[0].Flow.Workload != bRef || !r.Findings[0].PeerSide {
		t.Fatalf("findings = %+v, want b's ingress blocked at the peer's egress", r.Findings)
	}
}
