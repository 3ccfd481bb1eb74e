package transport_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/agent"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// tokenReviewsSeen is the real API server's count of TokenReviews it
// served (its apiserver_request_total), so the test measures what reached
// it, not what the server believes it sent.
func tokenReviewsSeen(t testing.TB, cs kubernetes.Interface) float64 {
	t.Helper()
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		t.Fatalf("scrape the API server: %v", err)
	}
	var n float64
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "apiserver_request_total{") || !strings.Contains(line, `resource="tokenreviews"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("parse %q: %v", line, err)
		}
		n += v
	}
	return n
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "flood." + hex.EncodeToString(b)
}

// TestTokenFloodStaysWithinTheReviewRate floods the ingest with made-up
// tokens from many connections: the TokenReviews the real API server sees
// stay within burst + qps × duration, repeated bad tokens are answered from
// the negative cache, and an observer already accepted keeps sending.
func TestTokenFloodStaysWithinTheReviewRate(t *testing.T) {
	const qps, burst = 5, 5
	in := startIngest(t)
	in.handler.Auth = transport.NewTokenReviewerWith(in.cs, transport.TokenReviewOptions{
		Audiences: []string{audience}, QPS: qps, Burst: burst, Metrics: in.handler.Metrics})
	honest := in.clientFn(in.bound)
	if _, err := honest.Send(ctx, "node-1/abc", store.Pending{Seq: 1, Records: []store.Record{makeRecord(80, 1)}}); err != nil {
		t.Fatalf("the observer's first batch: %v", err)
	}
	seen0 := tokenReviewsSeen(t, in.cs)
	start := time.Now()
	var sent, throttled atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	repeated := randomToken()
	for i := range 16 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				token := randomToken()
				if i == 0 {
					token = repeated // one flooder repeats its token
				}
				code, _ := post(t, in, http.MethodPost, token, "application/json", `{}`)
				sent.Add(1)
				if code == http.StatusTooManyRequests {
					throttled.Add(1)
				} else if code != http.StatusUnauthorized {
					t.Errorf("a made-up token got %d, want 401 or 429", code)
				}
			}
		})
	}
	var batches, busy int
	for seq := uint64(2); time.Since(start) < 3*time.Second; seq++ {
		batches++
		busy += sendThroughBackPressure(ctx, t, honest, store.Pending{Seq: seq, Records: []store.Record{makeRecord(80, 1)}})
	}
	close(stop)
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	reviews := tokenReviewsSeen(t, in.cs) - seen0
	limit := burst + qps*elapsed + 1
	t.Logf("%d requests with made-up tokens in %.1fs (%d throttled): %.0f TokenReviews reached the API server (limit %.1f)",
		sent.Load(), elapsed, throttled.Load(), reviews, limit)
	if reviews > limit {
		t.Fatalf("%.0f TokenReviews in %.1fs, over burst %d + %d/s", reviews, elapsed, burst, qps)
	}
	t.Logf("the accepted observer: %d batches, %d answers of 429 retried", batches, busy)
	if busy > batches {
		t.Errorf("the accepted observer met 429 %d times for %d batches: the flood holds the batch slots", busy, batches)
	}
	if sent.Load() < 10*int64(limit) {
		t.Fatalf("only %d flood requests: not a flood", sent.Load())
	}
}

// sendThroughBackPressure sends p with the agent's own retry: a 429 (every
// batch slot taken, for a moment, by the flood's requests) is resent after
// the server's Retry-After; any other error fails the test. It returns how
// many 429s it met.
func sendThroughBackPressure(ctx context.Context, t *testing.T, c *transport.Client, p store.Pending) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	busy := 0
	_, err := agent.Retry{Min: 20 * time.Millisecond, Max: time.Second}.Deliver(ctx, c, "node-1/abc", p, func(err error, _ time.Duration) {
		var status *transport.StatusError
		if !errors.As(err, &status) || status.Code != http.StatusTooManyRequests {
			t.Errorf("the accepted observer during the flood: %v (after %d answers of 429)", err, busy)
			cancel()
		}
		busy++
	})
	if err != nil {
		t.Fatalf("the accepted observer's batch %d: %v", p.Seq, err)
	}
	return busy
}
