package store

import (
	"context"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Notifying is a Writer that hands the flows of every batch it applied
// (not a retry) to Applied, after the store holds them: readers that keep
// something derived from baselines (a cache, a queue of workloads to look
// at again) learn of the change at once.
type Notifying struct {
	Writer
	// Applied is called with the batch's flows; nil calls nothing.
	Applied func([]flow.Flow)
}

var _ Writer = Notifying{}

// Apply applies b and, when it was new, notifies.
func (n Notifying) Apply(ctx context.Context, b Batch) (bool, error) {
	applied, err := n.Writer.Apply(ctx, b)
	if err == nil && applied && n.Applied != nil {
		n.Applied(b.Flows)
	}
	return applied, err
}
