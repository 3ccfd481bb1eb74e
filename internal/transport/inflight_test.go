package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// blockingWriter holds every Apply until released: a stand-in for a slow
// disk, to test the handler's concurrency limit.
type blockingWriter struct {
	entered chan struct{}
	release chan struct{}
}

func (w *blockingWriter) Apply(context.Context, store.Batch) (bool, error) {
	w.entered <- struct{}{}
	<-w.release
	return true, nil
}

func (w *blockingWriter) LastSeq(context.Context, string) (uint64, error) { return 1, nil }

// oneSlot is a handler with one batch slot, held by a first batch until
// the returned writer is released; first reports that batch's status.
func oneSlot(t *testing.T, queued int, wait time.Duration, opts ...func(*transport.Handler)) (h *transport.Handler, w *blockingWriter, first chan int) {
	t.Helper()
	w = &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
	h = &transport.Handler{Auth: staticAuth{}, Observers: []string{observerUser}, Pods: localIndex(), Resolver: resolve.NewIndex(0, nil),
		Writer: w, MaxInFlight: 1, MaxQueued: queued, MaxQueueWait: wait}
	for _, o := range opts {
		o(h)
	}
	first = make(chan int)
	go func() { first <- serveBatch(h).Code }()
	<-w.entered
	return h, w, first
}

func serveBatch(h http.Handler) *httptest.ResponseRecorder { return serve(h, false) }

// serve posts one batch to h, marked as resent (transport.RetryHeader) or not.
func serve(h http.Handler, resent bool) *httptest.ResponseRecorder {
	body := `{"observer":"node-1/abc","seq":1,"records":[` + recordJSON(1) + `]}`
	req := httptest.NewRequest(http.MethodPost, transport.BatchPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer observer-token")
	if resent {
		req.Header.Set(transport.RetryHeader, "1")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestTooManyBatchesInFlightAreAskedToRetry(t *testing.T) {
	h, w, first := oneSlot(t, 1, 10*time.Millisecond)
	if rec := serveBatch(h); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("second batch while one is in flight past the queue's wait: %d, want 429 with Retry-After", rec.Code)
	}
	close(w.release)
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first batch: %d, want 200", code)
	}
}

// A batch that finds the slots taken waits in the queue and is served as
// soon as a slot frees, instead of being refused.
func TestAQueuedBatchIsServedWhenASlotFrees(t *testing.T) {
	h, w, first := oneSlot(t, 1, time.Minute)
	second := make(chan int)
	go func() { second <- serveBatch(h).Code }()
	w.release <- struct{}{} // the first batch's Apply returns
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first batch: %d, want 200", code)
	}
	<-w.entered // the queued batch took the slot
	close(w.release)
	if code := <-second; code != http.StatusOK {
		t.Fatalf("queued batch: %d, want 200", code)
	}
}

// Batches refused at once are asked to come back at times that follow one
// another (the server's pace), not all at the same second.
func TestRefusedBatchesAreToldToComeBackInTurn(t *testing.T) {
	h, w, first := oneSlot(t, -1, 0)
	defer func() { close(w.release); <-first }()
	var waits []int
	for range 400 {
		rec := serveBatch(h)
		ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
		if rec.Code != http.StatusTooManyRequests || err != nil || ra < 1 {
			t.Fatalf("a refused batch: %d, Retry-After %q; want 429 with whole seconds", rec.Code, rec.Header().Get("Retry-After"))
		}
		if len(waits) > 0 && ra < waits[len(waits)-1] {
			t.Fatalf("refusal %d asks for %d s, after one that asked for %d s", len(waits), ra, waits[len(waits)-1])
		}
		waits = append(waits, ra)
	}
	// 400 refusals at the assumed 10 ms per batch span 4 s of returns.
	if waits[0] != 1 || waits[len(waits)-1] < 3 {
		t.Fatalf("Retry-After from %d s to %d s over 400 refusals, want 1 s rising to at least 3 s", waits[0], waits[len(waits)-1])
	}
}

// While refused batches wait their turn, a batch sent for the first time
// goes to the end of the line at once instead of taking a place in the
// queue; a resent one (its turn come) is queued and served.
func TestAFreshBatchDoesNotPassThoseWaitingTheirTurn(t *testing.T) {
	const wait = 5 * time.Second
	start := time.Now()
	h, w, first := oneSlot(t, 1, wait, func(h *transport.Handler) { h.Now = func() time.Time { return start } }) // the line never moves
	// A resent batch fills the queue; a fresh one beyond it is refused: a line forms.
	r1 := inBackground(t, h, true)
	if rec := serve(h, false); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("a fresh batch beyond the queue: %d, want 429", rec.Code)
	}
	w.release <- struct{}{} // the first batch returns, the queued one takes the slot
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first batch: %d", code)
	}
	<-w.entered
	// The queue has room, but a fresh batch is refused at once.
	answered := make(chan *httptest.ResponseRecorder)
	go func() { answered <- serve(h, false) }()
	select {
	case rec := <-answered:
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("a fresh batch while others wait their turn: %d, want 429 with Retry-After", rec.Code)
		}
	case <-time.After(wait - time.Second):
		t.Fatal("a fresh batch took a place in the queue ahead of the refused ones waiting their turn")
	}
	// A resent batch is queued and served.
	r2 := inBackground(t, h, true)
	w.release <- struct{}{}
	if code := <-r1; code != http.StatusOK {
		t.Fatalf("the first resent batch: %d, want 200", code)
	}
	<-w.entered
	close(w.release)
	if code := <-r2; code != http.StatusOK {
		t.Fatalf("the second resent batch: %d, want 200", code)
	}
}

// inBackground serves a batch in a goroutine, returns once it waits in
// h's queue, and yields its status.
func inBackground(t *testing.T, h *transport.Handler, resent bool) <-chan int {
	t.Helper()
	code := make(chan int, 1)
	go func() { code <- serve(h, resent).Code }()
	deadline := time.Now().Add(time.Minute)
	for transport.QueuedBatches(h) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the batch never queued")
		}
		time.Sleep(time.Millisecond)
	}
	return code
}
