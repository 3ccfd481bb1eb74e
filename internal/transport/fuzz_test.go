package transport_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// FuzzIngest posts arbitrary bodies: the handler must answer 200 or a 4xx,
// never panic or fail with a 5xx.
func FuzzIngest(f *testing.F) {
	f.Add(`{"observer":"node-1/abc","seq":1,"records":[` + recordJSON(1) + `]}`)
	f.Add(`{"observer":"node-1/abc","seq":18446744073709551615,"records":[]}`)
	f.Add(`{"observer":"","seq":-1}`)
	f.Add(`[1,2,3]`)
	f.Add(`{"records":[{"workload":{},"observation":{"server":"::ffff:1.2.3.4","serverPort":70000}}]}`)
	f.Add(`{"version":9,"observer":"node-1/abc","seq":2,"next":{"a":1},"records":[{"observation":{"refused":3,"x":{"y":[1]}}},1,"s"]}`)
	st, err := badgerstore.Open(f.TempDir(), badgerstore.Options{Bucket: time.Minute})
	if err != nil {
		f.Fatalf("open store: %v", err)
	}
	f.Cleanup(func() { _ = st.Close() })
	idx := localIndex()
	h := &transport.Handler{Auth: staticAuth{}, Observers: []string{observerUser}, Pods: idx, Resolver: idx,
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
