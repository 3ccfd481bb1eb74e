package transport_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// TestLocalVerifierChecksProjectedTokensWithoutTokenReviews verifies the
// observer's pod-bound token with the keys of the real API server's OIDC
// discovery: no TokenReview reaches the API server for it, nor for made-up
// or forged tokens; a token it cannot judge (not bound to a pod) goes to
// the TokenReview fallback.
func TestLocalVerifierChecksProjectedTokensWithoutTokenReviews(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	unbound := serviceAccountTokens(t, cs, "observer")["observer"]
	bound := podBoundToken(t, cs, "node-1")
	var expired atomic.Bool // the clock is past the tokens' expiry
	v := &transport.LocalVerifier{Client: cs.CoreV1().RESTClient(), Audiences: []string{audience},
		Fallback: transport.NewTokenReviewer(cs, 0, audience), Now: func() time.Time {
			if expired.Load() {
				return time.Now().Add(48 * time.Hour)
			}
			return time.Now()
		}}
	seen0 := tokenReviewsSeen(t, cs)
	for range 20 {
		u, err := v.Authenticate(ctx, bound)
		if err != nil {
			t.Fatalf("Authenticate the pod-bound token: %v", err)
		}
		if u.Name != observerUser || u.Extra["authentication.kubernetes.io/node-name"][0] != "node-1" || u.Extra["authentication.kubernetes.io/pod-uid"][0] == "" {
			t.Fatalf("user = %+v, want %s bound to a pod on node-1", u, observerUser)
		}
	}
	expired.Store(true) // verified before, but no longer valid: not accepted from memory
	if _, err := v.Authenticate(ctx, bound); !errors.Is(err, transport.ErrUnauthenticated) {
		t.Fatalf("the pod-bound token after its expiry: err = %v, want ErrUnauthenticated", err)
	}
	expired.Store(false)
	apiAudience, err := cs.CoreV1().ServiceAccounts("netpol-advisor").CreateToken(ctx, "observer", &authnv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create a token of the API server's audience: %v", err)
	}
	for name, tok := range map[string]string{
		"garbage":                randomToken(),
		"forged with its kid":    forge(t, bound),
		"tampered payload":       tamper(bound),
		"the API's own audience": apiAudience.Status.Token,
	} {
		if _, err := v.Authenticate(ctx, tok); !errors.Is(err, transport.ErrUnauthenticated) {
			t.Errorf("%s: err = %v, want ErrUnauthenticated", name, err)
		}
	}
	if n := tokenReviewsSeen(t, cs) - seen0; n != 0 {
		t.Fatalf("%.0f TokenReviews reached the API server, want 0", n)
	}
	if _, err := v.Authenticate(ctx, unbound); err != nil {
		t.Fatalf("an unbound token through the fallback: %v", err)
	}
	if n := tokenReviewsSeen(t, cs) - seen0; n != 1 {
		t.Fatalf("%.0f TokenReviews for a token not bound to a pod, want 1 (the fallback)", n)
	}
}

// forge signs the claims of tok with a key of its own under tok's key ID.
func forge(t *testing.T, tok string) string {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var claims map[string]any
	if err := parsed.UnsafeClaimsWithoutVerification(&claims); err != nil {
		t.Fatalf("claims: %v", err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: parsed.Headers[0].KeyID}}, nil)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	out, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out
}

// tamper changes one character of tok's payload.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	p := []byte(parts[1])
	if p[10] == 'A' {
		p[10] = 'B'
	} else {
		p[10] = 'A'
	}
	parts[1] = string(p)
	return strings.Join(parts, ".")
}
