package transport_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// BenchmarkTokenReviews1000Observers simulates 1,000 observers each
// sending a batch every 10 s, spread over the interval, for 10 minutes of
// a simulated clock, through the server's default TokenReviewer settings
// (cache 2 min, 20 QPS, burst 50: cmd/server defaultIngest) against a real
// API server. It reports the TokenReviews the API server served per
// simulated minute, and the authentications throttled (all observers
// starting at once: a server restart).
func BenchmarkTokenReviews1000Observers(b *testing.B) {
	const observers = 1000
	cp := testutil.StartControlPlane(b)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	tokens := observerTokens(b, cs, observers)
	b.Run("tokenreview", func(b *testing.B) { simulateObservers(b, cs, tokens, false) })
	b.Run("local", func(b *testing.B) { simulateObservers(b, cs, boundTokens(b, cs, observers), true) })
}

// simulateObservers authenticates every token once per 10 s, spread over
// the interval, for 10 simulated minutes: through the TokenReviewer alone,
// or (local) with the LocalVerifier in front of it as the server runs.
func simulateObservers(b *testing.B, cs kubernetes.Interface, tokens []string, local bool) {
	const observers, every, minutes = 1000, 10 * time.Second, 10
	for b.Loop() {
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		var r transport.Authenticator = transport.NewTokenReviewerWith(cs, transport.TokenReviewOptions{Audiences: []string{audience},
			TTL: 2 * time.Minute, QPS: 20, Burst: 50, Now: clock})
		if local {
			r = &transport.LocalVerifier{Client: cs.CoreV1().RESTClient(), Audiences: []string{audience}, Fallback: r, Now: clock}
		}
		seen0 := tokenReviewsSeen(b, cs)
		throttled := 0
		steps := int(minutes * time.Minute / every)
		for range steps {
			for i, tok := range tokens {
				if _, err := r.Authenticate(ctx, tok); err == transport.ErrThrottled {
					throttled++
				} else if err != nil {
					b.Fatalf("observer %d: %v", i, err)
				}
				mu.Lock()
				now = now.Add(every / observers)
				mu.Unlock()
			}
		}
		reviews := tokenReviewsSeen(b, cs) - seen0
		b.ReportMetric(reviews/minutes, "tokenreviews/min")
		b.ReportMetric(float64(throttled), "throttled")
	}
}

// boundTokens creates n tokens bound to the observer's pod on node-1 (the
// local verifier accepts only pod-bound tokens).
func boundTokens(b *testing.B, cs kubernetes.Interface, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = podBoundToken(b, cs, fmt.Sprintf("node-%d", i))
	}
	return out
}

// observerTokens creates n tokens of the observer ServiceAccount.
func observerTokens(b *testing.B, cs kubernetes.Interface, n int) []string {
	serviceAccountTokens(b, cs, "observer")
	out := make([]string, n)
	for i := range out {
		tr, err := cs.CoreV1().ServiceAccounts("netpol-advisor").CreateToken(ctx, "observer",
			&authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{Audiences: []string{audience}}}, metav1.CreateOptions{})
		if err != nil {
			b.Fatalf("token %d: %v", i, err)
		}
		out[i] = tr.Status.Token
	}
	return out
}
