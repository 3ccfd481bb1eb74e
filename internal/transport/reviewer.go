package transport

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
	"k8s.io/client-go/kubernetes"
)

// TokenReviewOptions configure a TokenReviewer. The zero value reviews
// every uncached token at once, with no rate limit.
type TokenReviewOptions struct {
	// Audiences, when set, are required of the token.
	Audiences []string
	// TTL is how long an accepted token is trusted without a new review
	// (default 1 minute): the delay before a revoked token (its pod
	// deleted) is refused.
	TTL time.Duration
	// NegativeTTL is how long a refused token is refused without a new
	// review (default 10 seconds).
	NegativeTTL time.Duration
	// QPS and Burst bound TokenReviews of tokens never accepted before:
	// where a flood of made-up tokens goes. Renewals of accepted tokens
	// have a budget of the same size of their own, so a flood cannot lock
	// out observers already known. QPS 0: no limit.
	QPS   float64
	Burst int
	// Now is the clock (time.Now when nil).
	Now     func() time.Time
	Metrics *Metrics
}

// Results of a token check, the values of the tokenreviews metric's label.
const (
	reviewCached          = "cached"
	reviewAuthenticated   = "authenticated"
	reviewUnauthenticated = "unauthenticated"
	reviewError           = "error"
	reviewThrottled       = "throttled"
)

var reviewResults = []string{reviewCached, reviewAuthenticated, reviewUnauthenticated, reviewError, reviewThrottled}

// Bounds of the caches: the accepted one holds about two tokens per
// observer (projected tokens rotate); past them the expired entries go,
// then everything.
const (
	maxAccepted = 1 << 16
	maxRefused  = 1 << 12
)

// TokenReviewer authenticates tokens with TokenReviews against the API
// server. Answers are cached (accepted for TTL, refused for NegativeTTL),
// concurrent checks of one token share one review, and reviews are rate
// limited.
type TokenReviewer struct {
	cs     kubernetes.Interface
	o      TokenReviewOptions
	fresh  *rate.Limiter // tokens never accepted
	renew  *rate.Limiter // tokens accepted before
	flight singleflight.Group

	mu       sync.Mutex
	accepted map[[32]byte]acceptedToken
	refused  map[[32]byte]time.Time // token hash → until
}

type acceptedToken struct {
	user    User
	expires time.Time
}

// NewTokenReviewer returns an authenticator using cs, caching accepted
// tokens for ttl, with no rate limit. Audiences, when set, are required of
// the token.
func NewTokenReviewer(cs kubernetes.Interface, ttl time.Duration, audiences ...string) *TokenReviewer {
	return NewTokenReviewerWith(cs, TokenReviewOptions{TTL: ttl, Audiences: audiences})
}

// NewTokenReviewerWith returns an authenticator using cs configured by o.
func NewTokenReviewerWith(cs kubernetes.Interface, o TokenReviewOptions) *TokenReviewer {
	o.TTL = cmpOr(o.TTL, time.Minute)
	o.NegativeTTL = cmpOr(o.NegativeTTL, 10*time.Second)
	if o.Now == nil {
		o.Now = time.Now
	}
	limit, burst := rate.Inf, 0
	if o.QPS > 0 {
		limit, burst = rate.Limit(o.QPS), max(o.Burst, 1)
	}
	return &TokenReviewer{cs: cs, o: o, fresh: rate.NewLimiter(limit, burst), renew: rate.NewLimiter(limit, burst),
		accepted: map[[32]byte]acceptedToken{}, refused: map[[32]byte]time.Time{}}
}

// Authenticate implements Authenticator.
func (r *TokenReviewer) Authenticate(ctx context.Context, token string) (User, error) {
	key := sha256.Sum256([]byte(token))
	u, known, err := r.cached(key)
	if err == nil || errors.Is(err, ErrUnauthenticated) {
		r.o.Metrics.review(reviewCached)
		return u, err
	}
	limiter := r.fresh
	if known {
		limiter = r.renew
	}
	v, err, _ := r.flight.Do(string(key[:]), func() (any, error) {
		if !limiter.AllowN(r.o.Now(), 1) {
			r.o.Metrics.review(reviewThrottled)
			return User{}, ErrThrottled
		}
		u, err := r.review(context.WithoutCancel(ctx), token)
		r.store(key, u, err)
		return u, err
	})
	u, _ = v.(User)
	return u, err
}

// errMiss is cached's answer for a token it has no valid answer for.
var errMiss = errors.New("not cached")

// cached returns the cached answer for key, or errMiss; known reports an
// accepted answer that expired (a renewal).
func (r *TokenReviewer) cached(key [32]byte) (User, bool, error) {
	now := r.o.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if until, ok := r.refused[key]; ok && now.Before(until) {
		return User{}, false, ErrUnauthenticated
	}
	a, ok := r.accepted[key]
	if ok && now.Before(a.expires) {
		return a.user, true, nil
	}
	return User{}, ok, errMiss
}

// store caches the answer of a review; failures of the API server are not
// cached.
func (r *TokenReviewer) store(key [32]byte, u User, err error) {
	now := r.o.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err == nil:
		r.o.Metrics.review(reviewAuthenticated)
		delete(r.refused, key)
		if len(r.accepted) >= maxAccepted {
			r.evictAccepted(now)
		}
		r.accepted[key] = acceptedToken{user: u, expires: now.Add(r.o.TTL)}
	case errors.Is(err, ErrUnauthenticated):
		r.o.Metrics.review(reviewUnauthenticated)
		delete(r.accepted, key)
		if len(r.refused) >= maxRefused {
			clear(r.refused)
		}
		r.refused[key] = now.Add(r.o.NegativeTTL)
	default:
		r.o.Metrics.review(reviewError)
	}
}

// evictAccepted drops the entries expired for a TTL (no longer renewals),
// or everything if none is.
func (r *TokenReviewer) evictAccepted(now time.Time) {
	for k, a := range r.accepted {
		if now.After(a.expires.Add(r.o.TTL)) {
			delete(r.accepted, k)
		}
	}
	if len(r.accepted) >= maxAccepted {
		clear(r.accepted)
	}
}
