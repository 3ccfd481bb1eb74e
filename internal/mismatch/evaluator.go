package mismatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Inventory hands out the current cluster snapshot (inventory.Index has
// it). When it also has Invalidate, a round triggered by Notify invalidates
// it first, so that the change that triggered the round is in the snapshot.
type Inventory interface {
	Snapshot(ctx context.Context) (*inventory.Snapshot, error)
}

// Baselines reads what workloads were seen doing (store.Reader has it).
type Baselines interface {
	Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error)
	Namespace(ctx context.Context, ns string, win flow.Window) ([]flow.Baseline, error)
}

var (
	_ Inventory = (*inventory.Index)(nil)
	_ Baselines = store.Reader(nil)
)

// Options tune the evaluation. The zero value is usable.
type Options struct {
	// Window is how far back baselines count (0: all the store keeps), as
	// for the webhooks' advice.
	Window time.Duration
	// Period is how often everything is evaluated (default 1 m).
	Period time.Duration
	// Debounce is how long a change waits for more before a round starts
	// (default 1 s).
	Debounce time.Duration
	// MaxPendingFailed bounds the failed connects waiting for a round
	// (default 100,000); more are counted as dropped.
	MaxPendingFailed int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Period <= 0 {
		o.Period = time.Minute
	}
	if o.Debounce <= 0 {
		o.Debounce = time.Second
	}
	if o.MaxPendingFailed <= 0 {
		o.MaxPendingFailed = 100_000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Evaluator is the continuous evaluation. Notify and Ingested may be called
// from any goroutine; Run evaluates in one.
type Evaluator struct {
	inv  Inventory
	bl   Baselines
	opts Options
	m    *metrics
	log  *slog.Logger

	kick chan struct{}
	mu   sync.Mutex // guards the inputs below, filled between rounds
	in   pending

	state state // owned by the goroutine running rounds

	readMu  sync.RWMutex
	blocked map[flow.WorkloadRef][]policy.Blocked // the last verdicts, for readers
}

// pending is what arrived since the last round.
type pending struct {
	changed     bool // Notify: the inventory changed
	baselines   map[flow.WorkloadRef]struct{}
	failed      []flow.Flow
	droppedFail int
}

// New returns an evaluator whose metrics are registered with reg.
func New(inv Inventory, bl Baselines, reg prometheus.Registerer, log *slog.Logger, o Options) *Evaluator {
	return &Evaluator{inv: inv, bl: bl, opts: o.withDefaults(), m: newMetrics(reg), log: log,
		kick: make(chan struct{}, 1), blocked: map[flow.WorkloadRef][]policy.Blocked{}, state: newState()}
}

// Notify says the inventory changed (a policy, workload, pod or namespace
// event); a round follows after the debounce.
func (e *Evaluator) Notify() {
	e.mu.Lock()
	e.in.changed = true
	e.mu.Unlock()
	e.wake()
}

// Ingested says flows were written to the baselines: their workloads are
// re-read in the next round, and their failed connects counted.
func (e *Evaluator) Ingested(flows []flow.Flow) {
	e.mu.Lock()
	if e.in.baselines == nil {
		e.in.baselines = map[flow.WorkloadRef]struct{}{}
	}
	for i := range flows {
		f := &flows[i]
		e.in.baselines[f.Workload] = struct{}{}
		if f.Failed == 0 {
			continue
		}
		if len(e.in.failed) >= e.opts.MaxPendingFailed {
			e.in.droppedFail++
			continue
		}
		e.in.failed = append(e.in.failed, *f)
	}
	e.mu.Unlock()
	e.wake()
}

func (e *Evaluator) wake() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

func (e *Evaluator) take() pending {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.in
	e.in = pending{}
	return p
}

// Run evaluates everything now, then after every change (debounced) and
// every Period, until ctx ends. A failed round is logged and counted; the
// next one retries it in full.
func (e *Evaluator) Run(ctx context.Context) error {
	tick := time.NewTicker(e.opts.Period)
	defer tick.Stop()
	full := true
	for {
		if err := e.Round(ctx, full); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			e.log.Error("mismatch evaluation failed; retrying in full", "err", err)
		}
		full = !e.state.valid
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			full = true
		case <-e.kick:
			if !sleep(ctx, e.opts.Debounce) {
				return nil
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Round runs one evaluation: of everything when full, else of what changed
// since the last round.
func (e *Evaluator) Round(ctx context.Context, full bool) error {
	mode := modeIncremental
	if full || !e.state.valid {
		mode = modeFull
	}
	start := time.Now()
	err := e.round(ctx, mode, e.take())
	e.m.evaluated(mode, time.Since(start), err, e.opts.Now())
	if err != nil {
		e.state.valid = false
	}
	return err
}

func (e *Evaluator) window() flow.Window {
	if e.opts.Window <= 0 {
		return flow.Window{}
	}
	return flow.Window{From: e.opts.Now().Add(-e.opts.Window)}
}

// Blocked returns the flows the policies in force blocked at the last
// round, of the workloads of namespace ns (every namespace when empty):
// the same answer the metrics give, with the flows themselves.
func (e *Evaluator) Blocked(ns string) []policy.Blocked {
	e.readMu.RLock()
	defer e.readMu.RUnlock()
	var out []policy.Blocked
	for _, ref := range sortedRefs(e.blocked) {
		if ns == "" || ref.Namespace == ns {
			out = append(out, e.blocked[ref]...)
		}
	}
	return out
}

func readErr(what string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("mismatch: %s: %w", what, err)
}
