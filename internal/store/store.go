package store

import (
	"context"
	"errors"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// ErrNotFound is returned by Reader.Baseline when the workload has no flow
// in the window asked for (for example a workload too new to have a
// baseline). Callers test it with errors.Is and usually treat it as
// "still learning", not as a failure.
var ErrNotFound = errors.New("baseline not found")

// Reader reads the cluster's baselines. Implementations are safe for
// concurrent use.
//
// Windows are rounded out to the store's buckets: a flow is returned when
// the bucket it was counted in overlaps the window. Old buckets may be
// rolled up into coarser ones (an hour, a day), so a window starting a week
// ago may start inside a day. The Baseline's Window says what the flows
// cover: the window asked for, widened to the buckets at its ends. A zero
// Window.From means "since the oldest bucket kept", a zero Window.To "until
// now". Flows come back merged across observers and buckets
// (flow.Aggregate), sorted by key; FirstSeen and LastSeen are the real
// times seen, not bucket bounds.
type Reader interface {
	// Baseline returns what workload w was seen doing over win. It returns
	// an error wrapping ErrNotFound when w has no flow in win.
	Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error)
	// Namespace returns the baselines of every workload of namespace ns
	// with at least one flow in win, sorted by workload. An empty ns means
	// every namespace. No workload is an empty slice, not an error.
	Namespace(ctx context.Context, ns string, win flow.Window) ([]flow.Baseline, error)
}

// Batch is one observer's delta: flows counted since its previous batch,
// already resolved to Kubernetes names. Seq numbers the observer's batches
// from 1 upwards without gaps; Observer is stable for the life of the
// observer's outbox (a new outbox is a new observer).
type Batch struct {
	Observer string      `json:"observer"`
	Seq      uint64      `json:"seq"`
	Flows    []flow.Flow `json:"flows"`
}

// Writer merges observers' deltas into the baselines.
type Writer interface {
	// Apply merges b into the baselines exactly once. If b.Seq is not
	// greater than the last sequence applied for b.Observer, nothing
	// changes and Apply returns applied=false with no error: the batch was
	// a retry. The batch's flows and its sequence number are written
	// atomically.
	Apply(ctx context.Context, b Batch) (applied bool, err error)
	// LastSeq returns the last sequence number applied for observer, 0 if
	// none.
	LastSeq(ctx context.Context, observer string) (uint64, error)
}
