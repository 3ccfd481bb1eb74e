package transport

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Admission of batches (issue 17). When every batch slot was taken, the
// server used to answer "retry in 1 s" to everyone: 1,000 observers refused
// at once came back together, were refused together again, and who got
// through was luck (p99 per batch 61–81 s). Now a batch that finds the
// slots taken waits a moment in a short queue (a channel's waiting senders
// are served in order), and one refused beyond it is given a turn after
// those already given (see bookings): refused observers return spread over
// the time the server needs to serve them, in the order they were refused.
const (
	// DefaultMaxQueued is the default of Handler.MaxQueued.
	DefaultMaxQueued = 32
	// DefaultMaxQueueWait is the default of Handler.MaxQueueWait.
	DefaultMaxQueueWait = 500 * time.Millisecond
	// maxRetryAfter bounds the wait a refusal asks for: past it, refused
	// observers share the last second.
	maxRetryAfter = time.Minute
	// maxDueWait is how long a batch whose turn has come waits for a slot,
	// beyond MaxQueued (at most one per observer: each holds one turn);
	// well within the agent's 30 s request timeout. Refusing it sooner
	// made every observer whose turn came while the server ran behind the
	// booked pace ask again every few hundred milliseconds, and those
	// refusals (a TLS request and a token check each) ate the server's
	// time: 22,701 answers of 429 and a third of the throughput.
	maxDueWait = 10 * time.Second
)

// RetryAfterMsHeader is the wait of a 429 to the millisecond, beside the
// standard Retry-After (whole seconds, rounded up, for other clients):
// turns are booked a few milliseconds apart, and whole seconds made
// observers come back up to a second early, before their turn, or late,
// while the server idled.
const RetryAfterMsHeader = "Netpol-Advisor-Retry-After-Ms"

// admission bounds the batches handled at once and queues a few more.
type admission struct {
	slots     chan struct{}
	queued    atomic.Int64
	maxQueued int64
	maxWait   time.Duration
	pace      pacer
	booked    bookings
}

func (h *Handler) admission() *admission {
	h.once.Do(func() {
		h.admit = &admission{slots: make(chan struct{}, cmpOr(h.MaxInFlight, DefaultMaxInFlight)),
			maxQueued: int64(cmpOr(h.MaxQueued, DefaultMaxQueued)), maxWait: cmpOr(h.MaxQueueWait, DefaultMaxQueueWait)}
	})
	return h.admit
}

// free takes a free slot if there is one, and returns the function that
// frees it, else nil. It comes before authentication, whose cost the slots
// bound.
func (a *admission) free(now func() time.Time) func() {
	select {
	case a.slots <- struct{}{}:
		return a.releaser(now)
	default:
		return nil
	}
}

// acquire takes a slot for the authenticated observer who, waiting in the
// queue if there is room in it, or whatever its length if who's turn has
// come. While refused observers wait their turn, only one whose turn has
// come takes a place in the queue: the others go to the end of the line
// (or, booked already, keep their turn), so that observers whose batches
// got through do not pass those waiting. It
// returns the function that frees the slot, or nil and how long the
// refused caller should wait before it tries again.
func (a *admission) acquire(ctx context.Context, now func() time.Time, who string) (release func(), retryAfter time.Duration) {
	if release := a.free(now); release != nil {
		a.booked.done(who)
		return release, 0
	}
	at := now()
	turn, booked, due := a.booked.turn(who, at)
	depth := a.queued.Add(1)
	defer a.queued.Add(-1)
	limit, wait := a.maxQueued, a.maxWait
	if due {
		limit, wait = math.MaxInt64, maxDueWait
	}
	if depth > limit || !due && a.pace.waiting(at) {
		return nil, a.refuse(who, at, depth, turn, booked, due)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		a.booked.done(who)
		return a.releaser(now), 0
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, a.refuse(who, now(), a.queued.Load(), turn, booked, due)
}

// refuse returns how long who, refused at now, waits. An observer whose
// turn came but found no place keeps its turn and tries again after the
// batches queued now; one that came early is given its turn again; any
// other is booked a turn at the end of the line.
func (a *admission) refuse(who string, now time.Time, queued int64, turn time.Time, booked, due bool) time.Duration {
	switch {
	case due:
		a.booked.put(who, turn, now)
		return a.pace.after(queued)
	case booked:
		return turn.Sub(now)
	}
	turn = a.pace.book(now, queued)
	a.booked.put(who, turn, now)
	return turn.Sub(now)
}

// releaser frees the slot taken now; a batch that ends while every slot
// is taken tells the pacer when the busy server finished one.
func (a *admission) releaser(now func() time.Time) func() {
	return func() {
		a.pace.done(now(), len(a.slots) == cap(a.slots))
		<-a.slots
	}
}

// setRetryAfter asks the client to wait d: Retry-After in whole seconds,
// rounded up (a client that comes back late keeps its turn, one that
// comes early is refused again), and RetryAfterMsHeader.
func setRetryAfter(h http.Header, d time.Duration) {
	h.Set("Retry-After", strconv.FormatInt(max(1, int64((d+time.Second-1)/time.Second)), 10))
	h.Set(RetryAfterMsHeader, strconv.FormatInt(max(1, int64((d+time.Millisecond-1)/time.Millisecond)), 10))
}
