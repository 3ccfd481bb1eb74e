package transport_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// The client hands the server's Retry-After to its caller (the agent's
// retry honours it); an HTTP date or garbage counts as none.
func TestClientReadsRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"7", 7 * time.Second},
		{" 2 ", 2 * time.Second},
		{"", 0},
		{"0", 0},
		{"-3", 0},
		{"Wed, 21 Oct 2026 07:28:00 GMT", 0},
	} {
		t.Run(tc.header, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"error":"busy"}`))
			}))
			defer srv.Close()
			c := &transport.Client{URL: srv.URL, Token: func() (string, error) { return "t", nil }}
			_, err := c.Send(ctx, "node-1/abc", store.Pending{Seq: 1, Records: []store.Record{makeRecord(80, 1)}})
			var se *transport.StatusError
			if !errors.As(err, &se) || se.Code != http.StatusTooManyRequests || se.Message != "busy" {
				t.Fatalf("Send: %v, want a 429 StatusError saying busy", err)
			}
			if se.RetryAfter != tc.want {
				t.Fatalf("RetryAfter %s, want %s", se.RetryAfter, tc.want)
			}
		})
	}
}
