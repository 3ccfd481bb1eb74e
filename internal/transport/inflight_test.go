package transport_test

import (
	"context"
	"fmt"
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

func serveBatch(h http.Handler) *httptest.ResponseRecorder { return serveAs(h, "observer-token", nil) }

// serveAs posts one batch to h with token and the headers.
func serveAs(h http.Handler, token string, header http.Header) *httptest.ResponseRecorder {
	return serveCtx(context.Background(), h, token, header)
}

func serveCtx(ctx context.Context, h http.Handler, token string, header http.Header) *httptest.ResponseRecorder {
	body := `{"observer":"node-1/abc","seq":1,"records":[` + recordJSON(1) + `]}`
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, transport.BatchPath, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
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

// Batches of observers refused at once are asked to come back at times
// that follow one another (the server's pace), to the millisecond in
// RetryAfterMsHeader and rounded up to whole seconds in Retry-After.
func TestRefusedBatchesAreToldToComeBackInTurn(t *testing.T) {
	start := time.Now()
	h, w, first := oneSlot(t, -1, 0, func(h *transport.Handler) { h.Now = func() time.Time { return start } })
	defer func() { close(w.release); <-first }()
	var waits []int
	for i := range 400 {
		rec := serveAs(h, fmt.Sprintf("observer-token-%d", i), nil) // 400 observers
		ms, s := retryAfter(t, rec)
		if s != (ms+999)/1000 {
			t.Fatalf("refusal %d: Retry-After %d s for %d ms, want it rounded up", i, s, ms)
		}
		if len(waits) > 1 && ms-waits[len(waits)-1] != waits[1]-waits[0] {
			t.Fatalf("refusal %d asks for %d ms, after %v: not one pace after the one before", i, ms, waits[len(waits)-2:])
		}
		waits = append(waits, ms)
	}
	// 400 refusals at the assumed 10 ms per batch, booked twice as dense,
	// span 2 s of returns.
	if waits[0] > 1000 || waits[1] <= waits[0] || waits[len(waits)-1] < 1500 {
		t.Fatalf("waits from %d ms to %d ms over 400 refusals, want from under 1 s, rising, to at least 1.5 s", waits[0], waits[len(waits)-1])
	}
}

// retryAfter returns the waits a 429 asks for, in ms and in whole seconds.
func retryAfter(t *testing.T, rec *httptest.ResponseRecorder) (ms, s int) {
	t.Helper()
	ms, err := strconv.Atoi(rec.Header().Get(transport.RetryAfterMsHeader))
	s, err2 := strconv.Atoi(rec.Header().Get("Retry-After"))
	if rec.Code != http.StatusTooManyRequests || err != nil || err2 != nil || ms < 1 || s < 1 {
		t.Fatalf("a refused batch: %d, Retry-After %q, %s %q; want 429 with both", rec.Code,
			rec.Header().Get("Retry-After"), transport.RetryAfterMsHeader, rec.Header().Get(transport.RetryAfterMsHeader))
	}
	return ms, s
}
