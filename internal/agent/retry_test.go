package agent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

func busy(after time.Duration) error {
	return fmt.Errorf("send batch 1: %w", &transport.StatusError{Code: http.StatusTooManyRequests, RetryAfter: after})
}

// The server's Retry-After is waited, plus at most Jitter of it; the
// exponential backoff is left as it was.
func TestRetryHonoursRetryAfterWithJitter(t *testing.T) {
	r := Retry{Min: 100 * time.Millisecond, Max: time.Second, Jitter: 0.5}
	bo := r.Backoff()
	seen := map[time.Duration]bool{}
	for range 200 {
		d := r.Delay(busy(4*time.Second), bo)
		if d < 4*time.Second || d > 6*time.Second {
			t.Fatalf("Retry-After 4s with jitter 0.5: waited %s, want within [4s, 6s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Fatalf("200 waits took %d values: not jittered", len(seen))
	}
	for range 200 { // a whole second's Retry-After: spread over the next second
		if d := r.Delay(busy(time.Second), bo); d < time.Second || d > 2*time.Second {
			t.Fatalf("Retry-After 1s: waited %s, want within [1s, 2s]", d)
		}
	}
	if d := r.Delay(errors.New("connection refused"), bo); d < r.Min || d > r.Min*3/2 {
		t.Fatalf("first backoff after the Retry-After answers: %s, want from %s (Retry-After does not step it)", d, r.Min)
	}
}

// Without a Retry-After the wait doubles from Min, jittered, up to Max.
func TestRetryBacksOffExponentiallyToMax(t *testing.T) {
	r := Retry{Min: 100 * time.Millisecond, Max: time.Second}
	bo := r.Backoff()
	for i, base := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		base *= time.Millisecond
		err := error(&transport.StatusError{Code: http.StatusServiceUnavailable})
		if d := r.Delay(err, bo); d < base || float64(d) > float64(base)*(1+DefaultJitter) {
			t.Fatalf("step %d: waited %s, want within [%s, %s+%.0f%%]", i, d, base, base, DefaultJitter*100)
		}
	}
}

// script answers Send with its errors in turn, then success.
type script struct {
	errs  []error
	calls int
}

func (s *script) Send(context.Context, string, store.Pending) (transport.Response, error) {
	s.calls++
	if s.calls <= len(s.errs) {
		return transport.Response{}, s.errs[s.calls-1]
	}
	return transport.Response{Applied: true, LastSeq: 1}, nil
}

func TestDeliverRetriesUntilAcknowledged(t *testing.T) {
	// 429s without a Retry-After, so the waits are the short backoff's.
	s := &script{errs: []error{busy(0), errors.New("connection reset"), busy(0)}}
	var waits []time.Duration
	r := Retry{Min: time.Millisecond, Max: 2 * time.Millisecond}
	resp, err := r.Deliver(context.Background(), s, "node-1/abc", store.Pending{Seq: 1}, func(_ error, in time.Duration) { waits = append(waits, in) })
	if err != nil || !resp.Applied || s.calls != 4 || len(waits) != 3 {
		t.Fatalf("Deliver: %+v, %v after %d calls and %d waits; want applied after 4 calls and 3 waits", resp, err, s.calls, len(waits))
	}
}

func TestDeliverStopsOnAPermanentRefusal(t *testing.T) {
	refused := fmt.Errorf("send batch 1: %w", &transport.StatusError{Code: http.StatusUnprocessableEntity, Message: "invalid"})
	s := &script{errs: []error{busy(0), refused}}
	r := Retry{Min: time.Millisecond, Max: time.Millisecond}
	_, err := r.Deliver(context.Background(), s, "node-1/abc", store.Pending{Seq: 1}, nil)
	if !errors.Is(err, refused) || s.calls != 2 {
		t.Fatalf("Deliver: %v after %d calls, want the 422 after 2", err, s.calls)
	}
}

func TestDeliverStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &script{errs: []error{busy(time.Hour)}}
	r := Retry{Min: time.Millisecond, Max: time.Millisecond}
	time.AfterFunc(10*time.Millisecond, cancel)
	if _, err := r.Deliver(ctx, s, "node-1/abc", store.Pending{Seq: 1}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver with an ended context: %v, want context.Canceled", err)
	}
}

// A turn the server booked to the millisecond is waited as it is, late by
// at most bookedJitter of it, never early; whole seconds are still spread
// over the second after them.
func TestRetryComesAtTheBookedTurn(t *testing.T) {
	r := Retry{Min: 100 * time.Millisecond, Max: time.Second}
	booked := &transport.StatusError{Code: http.StatusTooManyRequests, RetryAfter: 1234 * time.Millisecond, Booked: true}
	for range 200 {
		d := r.Delay(fmt.Errorf("send batch 1: %w", booked), r.Backoff())
		if d < booked.RetryAfter || float64(d) > float64(booked.RetryAfter)*(1+bookedJitter) {
			t.Fatalf("booked turn in %s: waited %s, want within +%.0f%%", booked.RetryAfter, d, bookedJitter*100)
		}
	}
}
