package agent

import (
	"context"
	"errors"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// DefaultJitter is the default of Retry.Jitter.
const DefaultJitter = 0.2

// bookedJitter is the largest extra wait, as a fraction of it, for a turn
// the server booked (transport.StatusError.Booked).
const bookedJitter = 0.02

// Retry is how the observer resends a batch the server has not
// acknowledged (issue 17). When the server says how long to wait (its
// Retry-After on a 429 or 503) the observer waits that, plus up to Jitter
// of it at random, so that observers refused at once do not come back in
// step; when the server booked it a turn to the millisecond (its turns
// are spread already) it waits that, plus at most bookedJitter of it. Without such an answer
// (a network error, a restart) it backs off exponentially from Min to Max,
// jittered the same way (client-go's wait.Backoff).
type Retry struct {
	Min, Max time.Duration
	// Jitter is the largest extra wait, as a fraction of the wait
	// (DefaultJitter when 0).
	Jitter float64
}

// Backoff returns a fresh exponential backoff from r.Min to r.Max.
func (r Retry) Backoff() *wait.Backoff {
	return &wait.Backoff{Duration: r.Min, Factor: 2, Jitter: r.jitter(), Steps: math.MaxInt32, Cap: r.Max}
}

func (r Retry) jitter() float64 {
	if r.Jitter == 0 {
		return DefaultJitter
	}
	return r.Jitter
}

// Delay is the wait before the next try after err: the server's
// Retry-After when it gave one, else the backoff's next step.
func (r Retry) Delay(err error, bo *wait.Backoff) time.Duration {
	var se *transport.StatusError
	switch {
	case errors.As(err, &se) && se.Booked:
		// A turn the server booked to the millisecond, one of many it
		// spread a few milliseconds apart: come at it, a little late
		// rather than early (an early batch is refused again).
		return wait.Jitter(se.RetryAfter, bookedJitter)
	case se != nil && se.RetryAfter > 0:
		// Retry-After has whole seconds: spread over at least the second
		// after it, or observers told "1" would come back within 200 ms.
		return wait.Jitter(se.RetryAfter, max(r.jitter(), float64(time.Second)/float64(se.RetryAfter)))
	}
	return bo.Step()
}

// Deliver sends p as observer until the server acknowledges it and returns
// the server's answer. It stops early on a refusal for good
// (StatusError.Permanent) or when ctx ends, returning that error. Before
// each wait it calls onRetry, when set, with the failed try's error and the
// wait.
func (r Retry) Deliver(ctx context.Context, s Sender, observer string, p store.Pending,
	onRetry func(err error, in time.Duration)) (transport.Response, error) {
	bo := r.Backoff()
	for {
		resp, err := s.Send(ctx, observer, p)
		var se *transport.StatusError
		if err == nil || errors.As(err, &se) && se.Permanent() {
			return resp, err
		}
		if ctx.Err() != nil {
			return resp, ctx.Err()
		}
		d := r.Delay(err, bo)
		if onRetry != nil {
			onRetry(err, d)
		}
		if !sleep(ctx, d) {
			return resp, ctx.Err()
		}
	}
}
