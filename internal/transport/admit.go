package transport

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"
)

// Admission of batches (issue 17). When every batch slot was taken, the
// server used to answer "retry in 1 s" to everyone: 1,000 observers refused
// at once came back together, were refused together again, and who got
// through was luck (p99 per batch 61–81 s). Now a batch that finds the
// slots taken waits a moment in a short queue (a channel's waiting senders
// are served in order), and one refused beyond it is given a time to come
// back after those already given: refused observers return spread over the
// time the server needs to serve them, in the order they were refused.
const (
	// DefaultMaxQueued is the default of Handler.MaxQueued.
	DefaultMaxQueued = 32
	// DefaultMaxQueueWait is the default of Handler.MaxQueueWait.
	DefaultMaxQueueWait = 500 * time.Millisecond
	// maxRetryAfter bounds the wait a refusal asks for: past it, refused
	// observers share the last second.
	maxRetryAfter = time.Minute
)

// admission bounds the batches handled at once and queues a few more.
type admission struct {
	slots     chan struct{}
	queued    atomic.Int64
	maxQueued int64
	maxWait   time.Duration
	pace      pacer
}

func (h *Handler) admission() *admission {
	h.once.Do(func() {
		h.admit = &admission{slots: make(chan struct{}, cmpOr(h.MaxInFlight, DefaultMaxInFlight)),
			maxQueued: int64(cmpOr(h.MaxQueued, DefaultMaxQueued)), maxWait: cmpOr(h.MaxQueueWait, DefaultMaxQueueWait)}
	})
	return h.admit
}

// acquire takes a slot, waiting in the queue if there is room in it. A
// batch sent for the first time (not resent) while refused batches wait
// their turn takes only a free slot, not a place in the queue: it goes to
// the end of the line, so that observers whose batches got through do not
// pass those waiting. It returns the function that frees the slot, or nil
// and how long the refused caller should wait before it tries again.
func (a *admission) acquire(ctx context.Context, now func() time.Time, resent bool) (release func(), retryAfter time.Duration) {
	select {
	case a.slots <- struct{}{}:
		return a.releaser(now), 0
	default:
	}
	depth := a.queued.Add(1)
	defer a.queued.Add(-1)
	if depth > a.maxQueued || !resent && a.pace.waiting(now()) {
		return nil, a.pace.book(now(), depth)
	}
	t := time.NewTimer(a.maxWait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return a.releaser(now), 0
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, a.pace.book(now(), a.queued.Load())
}

// releaser frees the slot taken now; a batch that ends while every slot
// is taken tells the pacer when the busy server finished one.
func (a *admission) releaser(now func() time.Time) func() {
	return func() {
		a.pace.done(now(), len(a.slots) == cap(a.slots))
		<-a.slots
	}
}

// retryAfterHeader is d in whole seconds, rounded down, at least 1: the
// agent spreads its return over the second after it.
func retryAfterHeader(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(d/time.Second)), 10)
}
