package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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

func TestTooManyBatchesInFlightAreAskedToRetry(t *testing.T) {
	w := &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
	h := &transport.Handler{Auth: staticAuth{}, Observers: []string{observerUser}, Pods: localIndex(), Resolver: resolve.NewIndex(0, nil),
		Writer: w, MaxInFlight: 1}
	body := `{"observer":"node-1/abc","seq":1,"records":[` + recordJSON(1) + `]}`
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, transport.BatchPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer observer-token")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	first := make(chan int)
	go func() { first <- serve().Code }()
	<-w.entered
	if rec := serve(); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("second batch while one is in flight: %d, want 429 with Retry-After", rec.Code)
	}
	close(w.release)
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first batch: %d, want 200", code)
	}
}
