package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	authzv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// The resource a reader must be allowed to get, in RBAC terms.
const (
	Group    = "netpol-advisor.io"
	Resource = "baselines"
)

// Authorizer decides whether user may read the baselines of namespace ns
// ("" meaning every namespace).
type Authorizer interface {
	Allowed(ctx context.Context, user transport.User, ns string) (bool, error)
}

// AccessReviewer authorises with SubjectAccessReviews, caching decisions
// for ttl.
type AccessReviewer struct {
	cs  kubernetes.Interface
	ttl time.Duration

	mu    sync.Mutex
	cache map[string]decision
}

type decision struct {
	allowed bool
	expires time.Time
}

// NewAccessReviewer returns an authorizer using cs.
func NewAccessReviewer(cs kubernetes.Interface, ttl time.Duration) *AccessReviewer {
	return &AccessReviewer{cs: cs, ttl: ttl, cache: map[string]decision{}}
}

// Allowed implements Authorizer.
func (r *AccessReviewer) Allowed(ctx context.Context, u transport.User, ns string) (bool, error) {
	key := fmt.Sprintf("%s\x00%s\x00%v", u.UID, u.Name, ns)
	r.mu.Lock()
	d, ok := r.cache[key]
	r.mu.Unlock()
	if ok && time.Now().Before(d.expires) {
		return d.allowed, nil
	}
	extra := map[string]authzv1.ExtraValue{}
	for k, v := range u.Extra {
		extra[k] = v
	}
	sar, err := r.cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authzv1.SubjectAccessReview{
		Spec: authzv1.SubjectAccessReviewSpec{
			User: u.Name, UID: u.UID, Groups: u.Groups, Extra: extra,
			ResourceAttributes: &authzv1.ResourceAttributes{Namespace: ns, Verb: "get", Group: Group, Resource: Resource},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return false, fmt.Errorf("review access of %q to namespace %q: %w", u.Name, ns, err)
	}
	r.mu.Lock()
	if len(r.cache) >= 4096 {
		clear(r.cache)
	}
	r.cache[key] = decision{allowed: sar.Status.Allowed, expires: time.Now().Add(r.ttl)}
	r.mu.Unlock()
	return sar.Status.Allowed, nil
}
