package mismatch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

const blockedFlows = "netpol_advisor_mismatch_blocked_flows"

func javaSeries(class, pol string) string {
	return "class=" + class + ",kind=Deployment,namespace=example-java-app,policy=" + pol + ",workload=example-java-app-javaapp"
}

// The story, continuously: the hand-written policy blocks DNS, the
// external MongoDB and cassandra; with the recommendation applied too and
// cassandra excluded the series fall to 0; once the hand-written policy is
// deleted they disappear.
func TestStoryMismatch(t *testing.T) {
	s, snap := loadStory(t)
	hand := readPolicy(t, "../policy/testdata/story/handwritten.yaml")
	snap.Policies = []networkingv1.NetworkPolicy{hand}
	inv := &fakeInventory{snap: snap}
	bl := &fakeBaselines{by: map[flow.WorkloadRef]flow.Baseline{s.Baseline.Workload: s.Baseline}}
	ev, reg := newTestEvaluator(inv, bl)
	ctx := t.Context()
	if err := ev.Round(ctx, true); err != nil {
		t.Fatal(err)
	}
	const by = "example-java-app/javaapp"
	want := map[string]float64{javaSeries("dns", by): 1, javaSeries("external", by): 1, javaSeries("peer", by): 1}
	if diff := cmp.Diff(want, samples(t, reg, blockedFlows)); diff != "" {
		t.Fatalf("with the hand-written policy (-want +got):\n%s", diff)
	}
	if got := ev.Blocked("example-java-app"); len(got) != 3 {
		t.Errorf("Blocked = %d flows, want 3: %+v", len(got), got)
	}

	rec, err := policy.Recommend(snap.Cluster, s.Baseline, s.Adjustments)
	if err != nil {
		t.Fatal(err)
	}
	inv.update(func(n *inventory.Snapshot) {
		n.Policies = append(n.Policies, rec)
		n.Adjustments[s.Baseline.Workload] = s.Adjustments
	})
	ev.Notify()
	if err := ev.Round(ctx, false); err != nil {
		t.Fatal(err)
	}
	want = map[string]float64{javaSeries("dns", by): 0, javaSeries("external", by): 0, javaSeries("peer", by): 0}
	if diff := cmp.Diff(want, samples(t, reg, blockedFlows)); diff != "" {
		t.Fatalf("with the recommendation too (-want +got):\n%s", diff)
	}
	if got := ev.Blocked(""); len(got) != 0 {
		t.Errorf("Blocked = %+v, want none", got)
	}

	inv.update(func(n *inventory.Snapshot) { n.Policies = []networkingv1.NetworkPolicy{rec} })
	if err := ev.Round(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got := samples(t, reg, blockedFlows); len(got) != 0 {
		t.Fatalf("series after the hand-written policy was deleted: %v, want none", got)
	}
}

// A world of three workloads in one namespace: a talks to b, c talks to
// nobody.
func threeWorkloads(t *testing.T) (*fakeInventory, *fakeBaselines, [3]flow.WorkloadRef) {
	t.Helper()
	_, snap := loadStory(t)
	var refs [3]flow.WorkloadRef
	c := snap.Cluster
	c.Workloads = map[flow.WorkloadRef]policy.Workload{}
	for i, n := range []string{"a", "b", "c"} {
		refs[i] = flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: n}
		c.Workloads[refs[i]] = policy.Workload{Ref: refs[i], Labels: map[string]string{"app": n}, IPs: ips("198.18.1." + string(rune('1'+i)))}
	}
	toB := flow.Flow{Key: flow.Key{Workload: refs[0], Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: refs[1]},
		Port: 8080, Protocol: "TCP"}, Count: 5}
	bl := &fakeBaselines{by: map[flow.WorkloadRef]flow.Baseline{
		refs[0]: {Workload: refs[0], Flows: []flow.Flow{toB}},
		refs[2]: {Workload: refs[2], Flows: []flow.Flow{egressExternal(refs[2], "203.0.113.9", 443)}},
	}}
	return &fakeInventory{snap: snap}, bl, refs
}

func egressExternal(w flow.WorkloadRef, ip string, port int32) flow.Flow {
	return flow.Flow{Key: flow.Key{Workload: w, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerExternal, IP: ips(ip)[0]},
		Port: port, Protocol: "TCP"}, Count: 1}
}

// A default deny on b's ingress blocks a's egress to b: the series is a's,
// attributed to b's policy, and only a and b are judged again.
func TestPeerSideBlockingIsIncremental(t *testing.T) {
	inv, bl, refs := threeWorkloads(t)
	ev, reg := newTestEvaluator(inv, bl)
	if err := ev.Round(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	old := inv.snap
	inv.update(func(n *inventory.Snapshot) {
		n.Policies = []networkingv1.NetworkPolicy{denyIngress("ns", "deny-b", "b")}
	})
	got := ev.state.affected(diff(old, inv.snap), old, inv.snap)
	if diff := cmp.Diff(refSet{}.with(refs[0], refs[1]), got); diff != "" {
		t.Errorf("affected by a policy on b (-want +got):\n%s", diff)
	}
	if err := ev.Round(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"class=peer,kind=Deployment,namespace=ns,policy=ns/deny-b,workload=a": 1}
	if diff := cmp.Diff(want, samples(t, reg, blockedFlows)); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	// b deleted: a's flow now goes to an unknown workload; the series of
	// a stays at 0 (a and the policy still exist).
	inv.update(func(n *inventory.Snapshot) { delete(n.Cluster.Workloads, refs[1]) })
	if err := ev.Round(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	want["class=peer,kind=Deployment,namespace=ns,policy=ns/deny-b,workload=a"] = 0
	if diff := cmp.Diff(want, samples(t, reg, blockedFlows)); diff != "" {
		t.Errorf("series after b is deleted (-want +got):\n%s", diff)
	}
	// a deleted: its series disappear.
	inv.update(func(n *inventory.Snapshot) { delete(n.Cluster.Workloads, refs[0]) })
	if err := ev.Round(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	if got := samples(t, reg, blockedFlows); len(got) != 0 {
		t.Errorf("series after a is deleted: %v", got)
	}
}

// New flows of one workload re-read that baseline only, and count.
func TestIngestedBaselineIsReread(t *testing.T) {
	inv, bl, refs := threeWorkloads(t)
	inv.snap.Policies = []networkingv1.NetworkPolicy{denyEgress("ns", "deny-c", "c")}
	ev, reg := newTestEvaluator(inv, bl)
	if err := ev.Round(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	series := "class=external,kind=Deployment,namespace=ns,policy=ns/deny-c,workload=c"
	if got := samples(t, reg, blockedFlows)[series]; got != 1 {
		t.Fatalf("%s = %v, want 1", series, got)
	}
	second := egressExternal(refs[2], "203.0.113.10", 443)
	b := bl.by[refs[2]]
	b.Flows = append(b.Flows, second)
	bl.by[refs[2]] = b
	reads := bl.reads
	ev.Ingested([]flow.Flow{second})
	if err := ev.Round(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	if got := samples(t, reg, blockedFlows)[series]; got != 2 {
		t.Errorf("%s = %v after a new blocked flow, want 2", series, got)
	}
	if bl.reads-reads != 1 {
		t.Errorf("the round read %d times, want 1 (c's baseline only)", bl.reads-reads)
	}
}

func (s refSet) with(refs ...flow.WorkloadRef) refSet {
	s.add(refs...)
	return s
}
