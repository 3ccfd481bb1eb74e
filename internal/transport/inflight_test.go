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
func oneSlot(t *testing.T, queued int, wait time.Duration) (h *transport.Handler, w *blockingWriter, first chan int) {
	t.Helper()
	w = &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
	h = &transport.Handler{Auth: staticAuth{}, Observers: []string{observerUser}, Pods: localIndex(), Resolver: resolve.NewIndex(0, nil),
		Writer: w, MaxInFlight: 1, MaxQueued: queued, MaxQueueWait: wait}
	first = make(chan int)
	go func() { first <- serveBatch(h).Code }()
	<-w.entered
	return h, w, first
}

func serveBatch(h http.Handler) *httptest.ResponseRecorder {
	body := `{"observer":"node-1/abc","seq":1,"records":[` + recordJSON(1) + `]}`
	req := httptest.NewRequest(http.MethodPost, transport.BatchPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer observer-token")
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
	for range 300 {
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
	// 300 refusals at the assumed 10 ms per batch span 3 s of returns.
	if waits[0] != 1 || waits[len(waits)-1] < 3 {
		t.Fatalf("Retry-After from %d s to %d s over 300 refusals, want 1 s rising to at least 3 s", waits[0], waits[len(waits)-1])
	}
}
