package transport_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// TestIngestRejectsBadInput sends unauthenticated, unauthorised, malformed,
// invalid and oversized batches and checks each gets a clear 4xx and that
// nothing at all was stored.
func TestIngestRejectsBadInput(t *testing.T) {
	in := startIngest(t)
	good := `{"observer":"node-1/abc","seq":1,"records":[` + recordJSON(1) + `]}`
	big := `{"observer":"node-1/abc","seq":1,"records":[` + strings.Repeat(recordJSON(1)+",", 400) + recordJSON(1) + `]}`
	many := `{"observer":"node-1/abc","seq":1,"records":[` + strings.Repeat(recordJSON(1)+",", 100) + recordJSON(1) + `]}`
	tests := []struct {
		name, method, token, ctype, body string
		want                             int
	}{
		{"no token", "POST", "", "application/json", good, 401},
		{"token not accepted", "POST", "not-a-token", "application/json", good, 401},
		{"another service account", "POST", in.tokens["intruder"], "application/json", good, 403},
		{"wrong method", "GET", in.tokens["observer"], "application/json", "", 405},
		{"not json", "POST", in.tokens["observer"], "text/plain", good, 415},
		{"malformed json", "POST", in.tokens["observer"], "application/json", `{"observer":`, 400},
		{"unknown field", "POST", in.tokens["observer"], "application/json", `{"observer":"a","seq":1,"extra":1}`, 400},
		{"two documents", "POST", in.tokens["observer"], "application/json", good + good, 400},
		{"oversized body", "POST", in.tokens["observer"], "application/json", big, 413},
		{"too many records", "POST", in.tokens["observer"], "application/json", many, 422},
		{"no sequence number", "POST", in.tokens["observer"], "application/json", strings.Replace(good, `"seq":1`, `"seq":0`, 1), 422},
		{"bad direction", "POST", in.tokens["observer"], "application/json", strings.Replace(good, `"Egress"`, `"Sideways"`, 1), 422},
		{"no peer address", "POST", in.tokens["observer"], "application/json", strings.Replace(good, `"203.0.113.7"`, `""`, 1), 422},
		{"NUL in the workload name", "POST", in.tokens["observer"], "application/json", strings.Replace(good, `"example-java-app-javaapp"`, `"a\u0000Deployment\u0000b"`, 1), 422},
		{"workload namespace not a namespace name", "POST", in.tokens["observer"], "application/json", strings.Replace(good, `"namespace":"example-java-app"`, `"namespace":"Example/App"`, 1), 422},
		{"workload kind not a kind", "POST", in.tokens["observer"], "application/json", strings.Replace(good, `"kind":"Deployment"`, `"kind":"Deploy ment"`, 1), 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := post(t, in, tt.method, tt.token, tt.ctype, tt.body)
			if code != tt.want {
				t.Fatalf("status = %d (%s), want %d", code, msg, tt.want)
			}
			if !strings.Contains(msg, `"error":`) {
				t.Fatalf("body %q does not say what was wrong", msg)
			}
		})
	}
	bls, err := in.store.Namespace(ctx, "", flow.Window{})
	if err != nil || len(bls) != 0 {
		t.Fatalf("after rejected batches the store holds %v (err %v), want nothing", bls, err)
	}
	if seq, _ := in.store.LastSeq(ctx, "node-1/abc"); seq != 0 {
		t.Fatalf("after rejected batches the observer's sequence is %d, want 0", seq)
	}
	wantBatches(t, in.reg, map[string]float64{"rejected": float64(len(tests))})
}

func TestClientReportsPermanentErrors(t *testing.T) {
	in := startIngest(t)
	c := in.clientFn(in.tokens["observer"])
	_, err := c.Send(ctx, "node-1/abc", store.Pending{Seq: 1})
	var se *transport.StatusError
	if !errors.As(err, &se) || se.Code != 422 || !se.Permanent() {
		t.Fatalf("Send of an empty batch: err = %v, want a permanent 422", err)
	}
	_, err = in.clientFn("bad").Send(ctx, "node-1/abc", store.Pending{Seq: 1, Records: []store.Record{makeRecord(80, 1)}})
	if !errors.As(err, &se) || se.Code != 401 || se.Permanent() {
		t.Fatalf("Send with a bad token: err = %v, want a non-permanent 401", err)
	}
}

func recordJSON(count int) string {
	return fmt.Sprintf(`{"workload":{"namespace":"example-java-app","kind":"Deployment","name":"example-java-app-javaapp"},`+
		`"observation":{"localIP":"198.18.0.10","direction":"Egress","client":"198.18.0.10","server":"203.0.113.7",`+
		`"serverPort":27017,"protocol":"TCP","process":"java","count":%d,"firstSeen":"2026-11-25T10:00:00Z","lastSeen":"2026-11-25T10:00:00Z"}}`, count)
}

func post(t *testing.T, in *ingest, method, token, ctype, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, in.srv.URL+transport.BatchPath, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := in.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}
