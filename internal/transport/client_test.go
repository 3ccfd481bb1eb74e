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
// retry honours it), to the millisecond when the server booked a turn
// (RetryAfterMsHeader); an HTTP date or garbage counts as none.
func TestClientReadsRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		header, ms string
		want       time.Duration
	}{
		{"7", "", 7 * time.Second},
		{" 2 ", "", 2 * time.Second},
		{"", "", 0},
		{"0", "", 0},
		{"-3", "", 0},
		{"Wed, 21 Oct 2026 07:28:00 GMT", "", 0},
		{"2", "1234", 1234 * time.Millisecond},
		{"2", "x", 2 * time.Second},
		{"2", "0", 2 * time.Second},
		{"", "3600000", time.Minute}, // bounded by the server's own bound
	} {
		t.Run(tc.header+"/"+tc.ms, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				if tc.ms != "" {
					w.Header().Set(transport.RetryAfterMsHeader, tc.ms)
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
			if booked := tc.want%time.Second != 0 || tc.ms == "3600000"; se.RetryAfter != tc.want || se.Booked != booked {
				t.Fatalf("RetryAfter %s (booked %t), want %s (%t)", se.RetryAfter, se.Booked, tc.want, booked)
			}
		})
	}
}
