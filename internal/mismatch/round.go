package mismatch

import (
	"context"
	"errors"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// round evaluates what mode and p ask for and exports the verdicts.
func (e *Evaluator) round(ctx context.Context, mode string, p pending) error {
	if inv, ok := e.inv.(interface{ Invalidate() }); ok && p.changed {
		inv.Invalidate()
	}
	snap, err := e.inv.Snapshot(ctx)
	if err != nil {
		e.requeue(p)
		return readErr("cluster snapshot", err)
	}
	todo, err := e.inputs(ctx, mode, snap, p)
	if err != nil {
		e.requeue(p)
		return err
	}
	old := e.state.snap
	e.state.snap, e.state.valid = snap, true
	if old != snap {
		e.state.policies = policyNames(snap)
	}
	x := policy.NewInForce(snap.Cluster, snap.Policies)
	for w := range todo {
		e.judge(x, snap, w)
	}
	e.countFailed(x, p.failed, p.droppedFail)
	if old != snap {
		e.pruneFailing(snap)
	}
	return nil
}

// inputs refreshes the baselines the round needs and returns the workloads
// to judge.
func (e *Evaluator) inputs(ctx context.Context, mode string, snap *inventory.Snapshot, p pending) (refSet, error) {
	if mode == modeFull {
		return e.readAll(ctx)
	}
	c := diff(e.state.snap, snap)
	if c.everything {
		return e.everyone(), e.reread(ctx, p.baselines, nil)
	}
	todo := e.state.affected(c, e.state.snap, snap)
	return todo, e.reread(ctx, p.baselines, todo)
}

// readAll reads every baseline of the window anew.
func (e *Evaluator) readAll(ctx context.Context) (refSet, error) {
	all, err := e.bl.Namespace(ctx, "", e.window())
	if err != nil {
		return nil, readErr("read baselines", err)
	}
	e.state.baselines, e.state.observers = map[flow.WorkloadRef]flow.Baseline{}, map[flow.WorkloadRef]refSet{}
	for _, b := range all {
		e.state.setBaseline(b.Workload, b, true)
	}
	return e.everyone(), nil
}

// everyone is every workload with a baseline or an exported series.
func (e *Evaluator) everyone() refSet {
	out := make(refSet, len(e.state.baselines)+len(e.state.series))
	for w := range e.state.baselines {
		out.add(w)
	}
	for w := range e.state.series {
		out.add(w)
	}
	return out
}

// reread reads the baselines of ws again, adding them to todo.
func (e *Evaluator) reread(ctx context.Context, ws map[flow.WorkloadRef]struct{}, todo refSet) error {
	for w := range ws {
		b, err := e.bl.Baseline(ctx, w, e.window())
		found := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return readErr("read baseline of "+w.String(), err)
		}
		e.state.setBaseline(w, b, found)
		if todo != nil {
			todo.add(w)
		}
	}
	return nil
}

// judge evaluates w's baseline under the policies in force and exports it.
func (e *Evaluator) judge(x *policy.InForce, snap *inventory.Snapshot, w flow.WorkloadRef) {
	var blocked []policy.Blocked
	if b, ok := e.state.baselines[w]; ok {
		blocked, _ = x.Blocked(b, snap.Adjustments[w])
	}
	exists := func(ref flow.WorkloadRef, pol string) bool {
		_, wok := snap.Cluster.Workloads[ref]
		_, pok := e.state.policies[pol]
		return wok && pok
	}
	if kept := e.export(w, e.state.series[w], count(blocked), exists); kept != nil {
		e.state.series[w] = kept
	} else {
		delete(e.state.series, w)
	}
	e.readMu.Lock()
	if len(blocked) > 0 {
		e.blocked[w] = blocked
	} else {
		delete(e.blocked, w)
	}
	e.readMu.Unlock()
}

// requeue puts back what a failed round took, so that nothing ingested is
// forgotten.
func (e *Evaluator) requeue(p pending) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.in.changed = e.in.changed || p.changed
	for w := range p.baselines {
		if e.in.baselines == nil {
			e.in.baselines = map[flow.WorkloadRef]struct{}{}
		}
		e.in.baselines[w] = struct{}{}
	}
	e.in.failed = append(p.failed, e.in.failed...)
	e.in.droppedFail += p.droppedFail
}
