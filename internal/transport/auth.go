package transport

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// ErrUnauthenticated is returned for a token the API server does not accept.
var ErrUnauthenticated = errors.New("token not authenticated")

// User is an authenticated caller.
type User struct {
	Name   string
	UID    string
	Groups []string
	Extra  map[string][]string
}

// Authenticator checks a bearer token.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (User, error)
}

// TokenReviewer authenticates tokens with TokenReviews against the API
// server, caching answers (accepted for TTL, rejected for a tenth of it) so
// that a busy observer costs one review per TTL.
type TokenReviewer struct {
	cs        kubernetes.Interface
	audiences []string
	ttl       time.Duration
	now       func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]cached
}

type cached struct {
	user    User
	err     error
	expires time.Time
}

// maxCached bounds the cache; it is emptied when full.
const maxCached = 4096

// NewTokenReviewer returns an authenticator using cs. Audiences, when set,
// are required of the token.
func NewTokenReviewer(cs kubernetes.Interface, ttl time.Duration, audiences ...string) *TokenReviewer {
	return &TokenReviewer{cs: cs, audiences: audiences, ttl: ttl, now: time.Now, cache: map[[32]byte]cached{}}
}

// Authenticate implements Authenticator.
func (r *TokenReviewer) Authenticate(ctx context.Context, token string) (User, error) {
	key := sha256.Sum256([]byte(token))
	r.mu.Lock()
	c, ok := r.cache[key]
	r.mu.Unlock()
	if ok && r.now().Before(c.expires) {
		return c.user, c.err
	}
	u, err := r.review(ctx, token)
	if err != nil && !errors.Is(err, ErrUnauthenticated) {
		return User{}, err // the API server failed: do not cache
	}
	ttl := r.ttl
	if err != nil {
		ttl /= 10
	}
	r.mu.Lock()
	if len(r.cache) >= maxCached {
		clear(r.cache)
	}
	r.cache[key] = cached{user: u, err: err, expires: r.now().Add(ttl)}
	r.mu.Unlock()
	return u, err
}

func (r *TokenReviewer) review(ctx context.Context, token string) (User, error) {
	tr, err := r.cs.AuthenticationV1().TokenReviews().Create(ctx, &authnv1.TokenReview{
		Spec: authnv1.TokenReviewSpec{Token: token, Audiences: r.audiences},
	}, metav1.CreateOptions{})
	if err != nil {
		return User{}, fmt.Errorf("review token: %w", err)
	}
	if !tr.Status.Authenticated {
		return User{}, fmt.Errorf("%w: %s", ErrUnauthenticated, tr.Status.Error)
	}
	u := tr.Status.User
	extra := map[string][]string{}
	for k, v := range u.Extra {
		extra[k] = v
	}
	return User{Name: u.Username, UID: u.UID, Groups: u.Groups, Extra: extra}, nil
}
