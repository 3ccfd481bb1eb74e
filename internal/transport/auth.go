package transport

import (
	"context"
	"errors"
	"fmt"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ErrUnauthenticated is returned for a token the API server does not accept.
var ErrUnauthenticated = errors.New("token not authenticated")

// ErrThrottled is returned when a token would need a TokenReview beyond
// the allowed rate: the caller should retry later.
var ErrThrottled = errors.New("too many token reviews")

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

func (r *TokenReviewer) review(ctx context.Context, token string) (User, error) {
	tr, err := r.cs.AuthenticationV1().TokenReviews().Create(ctx, &authnv1.TokenReview{
		Spec: authnv1.TokenReviewSpec{Token: token, Audiences: r.o.Audiences},
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
