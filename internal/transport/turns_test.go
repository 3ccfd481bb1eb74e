package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	start time.Time
	ns    atomic.Int64
}

func newTestClock() *testClock { return &testClock{start: time.Now()} }

func (c *testClock) now() time.Time          { return c.start.Add(time.Duration(c.ns.Load())) }
func (c *testClock) set(d time.Duration)     { c.ns.Store(int64(d)) }
func (c *testClock) on(h *transport.Handler) { h.Now = c.now }

// While observers wait their turn, only the one whose turn has come takes
// a place in the queue: not one that claims to resend (the header the
// agent used to send, which any observer could set), not the booked one
// coming early, which is given the same turn again.
func TestOnlyABookedTurnTakesAPlaceInTheQueue(t *testing.T) {
	clock := newTestClock()
	h, w, first := oneSlot(t, 1, 5*time.Second, clock.on)
	q := inBackground(t, h, "observer-token-q") // fills the queue
	turn, _ := retryAfter(t, serveAs(h, "observer-token-a", nil))
	w.release <- struct{}{} // the first batch returns, q takes the slot
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first batch: %d", code)
	}
	<-w.entered
	claim := http.Header{"Netpol-Advisor-Retry": {"1"}}
	if ms, _ := retryAfter(t, refusedAtOnce(t, h, "observer-token-b", claim)); ms <= turn {
		t.Fatalf("an observer claiming to resend was booked %d ms out, not after the one refused before it (%d ms)", ms, turn)
	}
	if ms, _ := retryAfter(t, refusedAtOnce(t, h, "observer-token-a", claim)); ms != turn {
		t.Fatalf("the booked observer, early: asked to wait %d ms, want its turn kept (%d ms)", ms, turn)
	}
	clock.set(time.Duration(turn) * time.Millisecond)
	a := inBackground(t, h, "observer-token-a") // its turn: queued
	handOver(t, w, q, a)
}

// handOver lets the batch in the slot (its status on held) finish, then
// the one queued after it (on next): both must be answered 200.
func handOver(t *testing.T, w *blockingWriter, held, next <-chan int) {
	t.Helper()
	w.release <- struct{}{}
	if code := <-held; code != http.StatusOK {
		t.Fatalf("the batch in the slot: %d, want 200", code)
	}
	<-w.entered
	close(w.release)
	if code := <-next; code != http.StatusOK {
		t.Fatalf("the queued batch: %d, want 200", code)
	}
}

// refusedAtOnce serves a batch that must be answered 429 without waiting
// in the queue.
func refusedAtOnce(t *testing.T, h http.Handler, token string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() { answered <- serveAs(h, token, header) }()
	select {
	case rec := <-answered:
		return rec
	case <-time.After(4 * time.Second):
		t.Fatalf("%s took a place in the queue ahead of an observer waiting its turn", token)
		return nil
	}
}

// inBackground serves a batch in a goroutine, returns once it waits in
// h's queue, and yields its status.
func inBackground(t *testing.T, h *transport.Handler, token string) <-chan int {
	t.Helper()
	code := make(chan int, 1)
	go func() { code <- serveAs(h, token, nil).Code }()
	waitQueued(t, h, 1)
	return code
}

// waitQueued waits until n batches wait in h's queue.
func waitQueued(t *testing.T, h *transport.Handler, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for transport.QueuedBatches(h) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d batches queued, want %d", transport.QueuedBatches(h), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// A made-up token is refused before it can queue or book: a flood of them
// leaves the first observer refused after it with the first turn.
func TestMadeUpTokensBookNoTurns(t *testing.T) {
	firstTurn := func(flood int) int {
		clock := newTestClock()
		h, w, first := oneSlot(t, -1, 0, clock.on)
		defer func() { close(w.release); <-first }()
		for range flood {
			if rec := serveAs(h, "made-up", nil); rec.Code != http.StatusUnauthorized {
				t.Fatalf("a made-up token while every slot is taken: %d, want 401", rec.Code)
			}
		}
		ms, _ := retryAfter(t, serveAs(h, "observer-token-a", nil))
		return ms
	}
	if quiet, flooded := firstTurn(0), firstTurn(100); flooded != quiet {
		t.Fatalf("after 100 made-up tokens the first observer waits %d ms, want %d ms as without them", flooded, quiet)
	}
}

// A batch whose turn came waits for a slot even beyond the queue's bound,
// and one whose wait ended without a slot (here its request was given up)
// keeps its turn: it waits again, while one booked later is refused.
func TestADueObserverWaitsAndKeepsItsTurn(t *testing.T) {
	clock := newTestClock()
	h, w, first := oneSlot(t, -1, 0, clock.on) // no queue for others
	turn, _ := retryAfter(t, serveAs(h, "observer-token-a", nil))
	clock.set(time.Duration(turn) * time.Millisecond)
	ctx, giveUp := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- serveCtx(ctx, h, "observer-token-a", nil).Code }()
	waitQueued(t, h, 1)
	giveUp()
	if c := <-code; c != http.StatusTooManyRequests {
		t.Fatalf("a due batch whose request ended: %d, want 429", c)
	}
	if rec := serveAs(h, "observer-token-c", nil); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("a fresh batch while a is due: %d, want 429", rec.Code)
	}
	handOver(t, w, first, inBackground(t, h, "observer-token-a")) // still its turn
}
