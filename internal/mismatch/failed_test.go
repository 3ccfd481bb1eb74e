package mismatch

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

const failedConns = "netpol_advisor_mismatch_failed_connections_total"

type nopWriter struct{}

func (nopWriter) Apply(context.Context, store.Batch) (bool, error) { return true, nil }
func (nopWriter) LastSeq(context.Context, string) (uint64, error)  { return 0, nil }

// Failed connects arriving through the ingest count per workload and
// blocking policy (none: the empty policy); the series of a deleted policy
// disappear. A failed connect never becomes a blocked flow.
func TestFailedConnectsAttributed(t *testing.T) {
	inv, bl, refs := threeWorkloads(t)
	inv.snap.Policies = []networkingv1.NetworkPolicy{denyIngress("ns", "deny-b", "b")}
	ev, reg := newTestEvaluator(inv, bl)
	wreg := prometheus.NewPedanticRegistry()
	w := NewWriter(nopWriter{}, ev, wreg)
	if err := ev.Round(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	refused := func(from, to flow.WorkloadRef, port int32, n uint64) flow.Flow {
		return flow.Flow{Key: flow.Key{Workload: from, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: to},
			Port: port, Protocol: "TCP"}, Failed: n}
	}
	batch := []flow.Flow{refused(refs[0], refs[1], 9999, 3), refused(refs[2], refs[0], 80, 2)}
	for _, f := range batch { // as the store would hold them
		b := bl.by[f.Workload]
		b.Flows = append(b.Flows, f)
		bl.by[f.Workload] = b
	}
	if _, err := w.Apply(t.Context(), store.Batch{Observer: "o", Seq: 1, Flows: batch}); err != nil {
		t.Fatal(err)
	}
	if err := ev.Round(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	resolved := map[string]float64{"outcome=api-server": 0, "outcome=external": 0, "outcome=node": 0, "outcome=service": 0, "outcome=workload": 2}
	if diff := cmp.Diff(resolved, samples(t, wreg, "netpol_advisor_ingest_resolved_flows_total")); diff != "" {
		t.Errorf("resolved flows (-want +got):\n%s", diff)
	}
	want := map[string]float64{
		"direction=Egress,kind=Deployment,namespace=ns,policy=ns/deny-b,workload=a": 3,
		"direction=Egress,kind=Deployment,namespace=ns,policy=,workload=c":          2,
	}
	if diff := cmp.Diff(want, samples(t, reg, failedConns)); diff != "" {
		t.Errorf("failed connections (-want +got):\n%s", diff)
	}
	// a's established flow to b:8080 is blocked; its refused one to
	// b:9999 is not traffic.
	if got := samples(t, reg, blockedFlows); got["class=peer,kind=Deployment,namespace=ns,policy=ns/deny-b,workload=a"] != 1 {
		t.Errorf("blocked flows = %v, want 1 for a (a failed connect is not a flow)", got)
	}
	inv.update(func(n *inventory.Snapshot) { n.Policies = nil })
	if err := ev.Round(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	delete(want, "direction=Egress,kind=Deployment,namespace=ns,policy=ns/deny-b,workload=a")
	if diff := cmp.Diff(want, samples(t, reg, failedConns)); diff != "" {
		t.Errorf("failed connections after the policy is deleted (-want +got):\n%s", diff)
	}
}
