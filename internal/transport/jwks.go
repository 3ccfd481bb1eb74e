package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"k8s.io/client-go/rest"
)

// LocalVerifier verifies pod-bound ServiceAccount tokens itself, with the
// keys the API server publishes for OIDC discovery (its issuer and JWKS),
// instead of a TokenReview per token: a flood of made-up tokens then costs
// the API server nothing, and the number of observers no TokenReviews.
//
// It is safe only with the bound-pod check of the Handler (every batch,
// the token's pod must be live on the token's node in the server's own
// view), which stands for what a TokenReview adds to the signature: the
// bound object still exists. What it does not see: a ServiceAccount
// deleted while its pods run (their tokens stay valid until they expire,
// an hour at most). Tokens it cannot judge (not pod-bound, an unknown
// key even after refreshing the keys, another issuer) go to Fallback.
type LocalVerifier struct {
	// Client reads /.well-known/openid-configuration and the JWKS from the
	// API server (RBAC: system:service-account-issuer-discovery).
	Client    rest.Interface
	Audiences []string
	Fallback  Authenticator
	Now       func() time.Time // time.Now when nil

	mu       sync.Mutex
	issuer   string
	keys     jose.JSONWebKeySet
	fetched  time.Time
	verified verifiedTokens
}

// keysEvery bounds how often the keys are fetched again for an unknown key
// ID (the API server rotated its signing key).
const keysEvery = 30 * time.Second

// errUndecided is a token local verification cannot judge.
var errUndecided = errors.New("not verifiable locally")

// Authenticate implements Authenticator.
func (v *LocalVerifier) Authenticate(ctx context.Context, token string) (User, error) {
	key, now := tokenKey(token), v.now()
	if u, ok := v.verified.get(key, now); ok {
		return u, nil
	}
	u, expires, err := v.verify(ctx, token)
	if errors.Is(err, errUndecided) {
		return v.Fallback.Authenticate(ctx, token)
	}
	if err == nil {
		v.verified.put(key, u, now, expires)
	}
	return u, err
}

func (v *LocalVerifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// saClaims are the private claims of a ServiceAccount token.
type saClaims struct {
	K8s struct {
		Namespace      string `json:"namespace"`
		ServiceAccount struct {
			Name string `json:"name"`
			UID  string `json:"uid"`
		} `json:"serviceaccount"`
		Pod *struct {
			Name string `json:"name"`
			UID  string `json:"uid"`
		} `json:"pod"`
		Node *struct {
			Name string `json:"name"`
		} `json:"node"`
	} `json:"kubernetes.io"`
}

// verify checks token's signature and claims and returns its user and
// expiry.
func (v *LocalVerifier) verify(ctx context.Context, token string) (User, time.Time, error) {
	if len(v.Audiences) == 0 {
		return User{}, time.Time{}, errUndecided // which audiences the API server accepts is its own business
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.RS384, jose.RS512, jose.ES384, jose.ES512})
	if err != nil {
		return User{}, time.Time{}, fmt.Errorf("%w: not a signed token: %v", ErrUnauthenticated, err)
	}
	if len(tok.Headers) != 1 {
		return User{}, time.Time{}, errUndecided
	}
	key, issuer, err := v.key(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return User{}, time.Time{}, err
	}
	var std jwt.Claims
	var sa saClaims
	if err := tok.Claims(key.Key, &std, &sa); err != nil {
		return User{}, time.Time{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	if std.Issuer != issuer {
		return User{}, time.Time{}, errUndecided // another issuer the API server may trust
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: issuer, AnyAudience: v.Audiences, Time: v.now()}, 0); err != nil {
		return User{}, time.Time{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	k := sa.K8s
	if k.Pod == nil || k.Node == nil || k.Namespace == "" || k.ServiceAccount.Name == "" || std.Expiry == nil {
		return User{}, time.Time{}, errUndecided // not bound to a pod on a node: only a TokenReview can tell
	}
	return User{
		Name: "system:serviceaccount:" + k.Namespace + ":" + k.ServiceAccount.Name, UID: k.ServiceAccount.UID,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + k.Namespace, "system:authenticated"},
		Extra: map[string][]string{podUIDExtra: {k.Pod.UID}, nodeNameExtra: {k.Node.Name},
			"authentication.kubernetes.io/pod-name": {k.Pod.Name}},
	}, std.Expiry.Time(), nil
}

// key returns the key kid and the issuer, fetching them when unknown.
func (v *LocalVerifier) key(ctx context.Context, kid string) (jose.JSONWebKey, string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if ks := v.keys.Key(kid); len(ks) == 1 {
		return ks[0], v.issuer, nil
	}
	if !v.fetched.IsZero() && time.Since(v.fetched) < keysEvery {
		return jose.JSONWebKey{}, "", errUndecided
	}
	v.fetched = time.Now()
	if err := v.fetch(ctx); err != nil {
		return jose.JSONWebKey{}, "", fmt.Errorf("%w: %v", errUndecided, err)
	}
	if ks := v.keys.Key(kid); len(ks) == 1 {
		return ks[0], v.issuer, nil
	}
	return jose.JSONWebKey{}, "", errUndecided
}

// fetch reads the issuer and its keys from the API server.
func (v *LocalVerifier) fetch(ctx context.Context) error {
	raw, err := v.Client.Get().AbsPath("/.well-known/openid-configuration").DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("read the API server's OIDC discovery: %w", err)
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(raw, &disc); err != nil || disc.Issuer == "" || disc.JWKSURI == "" {
		return fmt.Errorf("the API server's OIDC discovery names no issuer and keys: %s", raw)
	}
	u, err := url.Parse(disc.JWKSURI)
	if err != nil {
		return fmt.Errorf("jwks_uri %q: %w", disc.JWKSURI, err)
	}
	// The keys are read from the API server itself (the URI's host may be
	// a public name the server cannot reach), at the URI's path.
	raw, err = v.Client.Get().AbsPath(u.Path).DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("read the API server's keys: %w", err)
	}
	var ks jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &ks); err != nil {
		return fmt.Errorf("decode the API server's keys: %w", err)
	}
	ks.Keys = slices.DeleteFunc(ks.Keys, func(k jose.JSONWebKey) bool { return !k.Valid() || !k.IsPublic() || strings.EqualFold(k.Use, "enc") })
	v.issuer, v.keys = disc.Issuer, ks
	return nil
}
