package advice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Baselines reads what workloads were seen doing (store.Reader has it).
type Baselines interface {
	Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error)
}

// Inventory hands out the cluster snapshot (inventory.Index has it):
// Snapshot as the informers have it, Current with what a review of a
// NetworkPolicy in namespace depends on read from the API server.
type Inventory interface {
	Snapshot(ctx context.Context) (*inventory.Snapshot, error)
	Current(ctx context.Context, namespace string) (*inventory.Snapshot, error)
}

var (
	_ Baselines = store.Reader(nil)
	_ Inventory = (*inventory.Index)(nil)
)

// Advisor answers the webhooks' and the annotator's questions.
type Advisor struct {
	Baselines Baselines
	Inventory Inventory
	// Window is how far back baselines are read; zero means everything
	// the store keeps.
	Window time.Duration
	// BaselineTTL, when set, lets a baseline read serve the requests of
	// that long (the same workload is asked about many times in a burst of
	// applies); zero reads the store every time.
	BaselineTTL time.Duration
	// MaxPolicyBytes caps the recommended-policy annotation (default
	// DefaultMaxPolicyBytes); a larger recommendation is left out, with
	// state TooLarge.
	MaxPolicyBytes int
	// Now is the clock (default time.Now).
	Now func() time.Time

	cache cachedBaselines
}

func (a *Advisor) now() time.Time { return a.clock().UTC() }

func (a *Advisor) clock() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Advisor) window() flow.Window {
	if a.Window <= 0 {
		return flow.Window{}
	}
	return flow.Window{From: a.now().Add(-a.Window)}
}

// BaselineViews reads baselines without copying them (the Badger store
// has it): the advisor never modifies a baseline it reads (Check,
// Recommend and Unused only read; cachedBaseline shares one between
// requests already).
type BaselineViews interface {
	BaselineView(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error)
}

// baseline reads w's baseline; found is false when the store has none yet.
func (a *Advisor) baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (b flow.Baseline, found bool, err error) {
	if v, ok := a.Baselines.(BaselineViews); ok {
		b, err = v.BaselineView(ctx, w, win)
	} else {
		b, err = a.Baselines.Baseline(ctx, w, win)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return flow.Baseline{}, false, nil
	case err != nil:
		return flow.Baseline{}, false, fmt.Errorf("read baseline of %s: %w", w, err)
	}
	return b, true, nil
}
