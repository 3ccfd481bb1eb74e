package mismatch

import (
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// failKey is one failed-connections series.
type failKey struct {
	ref    flow.WorkloadRef
	dir    flow.Direction
	policy string
}

// countFailed adds failed connects to the counter of each policy that
// blocks them, or to the series without policy when none does (a closed
// port, a peer gone, or an end the inventory does not know).
func (e *Evaluator) countFailed(x *policy.InForce, failed []flow.Flow, dropped int) {
	if dropped > 0 {
		e.m.droppedFail.Add(float64(dropped))
	}
	for i := range failed {
		f := &failed[i]
		pols, _ := x.Blocking(*f)
		if len(pols) == 0 {
			pols = []string{""}
		}
		for _, p := range pols {
			k := failKey{f.Workload, f.Direction, p}
			e.state.failing[k] = struct{}{}
			e.m.failed.WithLabelValues(f.Workload.Namespace, string(f.Workload.Kind), f.Workload.Name, string(f.Direction), p).Add(float64(f.Failed))
		}
	}
}

// pruneFailing deletes the failed-connections series of workloads and
// policies that no longer exist.
func (e *Evaluator) pruneFailing(snap *inventory.Snapshot) {
	for k := range e.state.failing {
		_, wok := snap.Cluster.Workloads[k.ref]
		_, pok := e.state.policies[k.policy]
		if wok && (pok || k.policy == "") {
			continue
		}
		delete(e.state.failing, k)
		e.m.failed.DeleteLabelValues(k.ref.Namespace, string(k.ref.Kind), k.ref.Name, string(k.dir), k.policy)
	}
}
