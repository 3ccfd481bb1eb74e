package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// staticAuth accepts one token; the fuzz target is the decoder, not the
// TokenReview (tested against the real API server elsewhere).
type staticAuth struct{}

func (staticAuth) Authenticate(_ context.Context, token string) (transport.User, error) {
	if token != "observer-token" {
		return transport.User{}, transport.ErrUnauthenticated
	}
	return transport.User{Name: observerUser}, nil
}

// FuzzIngest posts arbitrary bodies: the handler must answer 200 or a 4xx,
// never panic or fail with a 5xx.
func FuzzIngest(f *testing.F) {
	f.Add(`{"observer":"node-1/abc","seq":1,"records":[` + recordJSON(1) + `]}`)
	f.Add(`{"observer":"node-1/abc","seq":18446744073709551615,"records":[]}`)
	f.Add(`{"observer":"","seq":-1}`)
	f.Add(`[1,2,3]`)
	f.Add(`{"records":[{"workload":{},"observation":{"server":"::ffff:1.2.3.4","serverPort":70000}}]}`)
	st, err := badgerstore.Open(f.TempDir(), badgerstore.Options{Bucket: time.Minute})
	if err != nil {
		f.Fatalf("open store: %v", err)
	}
	f.Cleanup(func() { _ = st.Close() })
	h := &transport.Handler{Auth: staticAuth{}, Observers: []string{observerUser}, Resolver: resolve.NewIndex(0, nil),
		Writer: st, MaxBodyBytes: 16 << 10, MaxRecords: 50}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, transport.BatchPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer observer-token")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}
