package transport_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// TestIngestRejectsBadBatches sends unauthenticated, unauthorised,
// malformed, invalid and oversized batches and checks each gets a clear
// 4xx and that nothing at all was stored.
func TestIngestRejectsBadBatches(t *testing.T) {
	in := startIngest(t)
	good := `{"observer":"node-1/abc","seq":1,"records":[` + recordJSON(1) + `]}`
	big := `{"observer":"node-1/abc","seq":1,"records":[` + strings.Repeat(recordJSON(1)+",", 400) + recordJSON(1) + `]}`
	many := `{"observer":"node-1/abc","seq":1,"records":[` + strings.Repeat(recordJSON(1)+",", 100) + recordJSON(1) + `]}`
	tests := []struct {
		name, method, token, ctype, body string
		want                             int
		reason                           string
	}{
		{"no token", "POST", "", "application/json", good, 401, "unauthenticated"},
		{"token not accepted", "POST", "not-a-token", "application/json", good, 401, "unauthenticated"},
		{"another service account", "POST", in.tokens["intruder"], "application/json", good, 403, "forbidden-user"},
		{"wrong method", "GET", in.bound, "application/json", "", 405, "method"},
		{"not json", "POST", in.bound, "text/plain", good, 415, "unsupported-media-type"},
		{"malformed json", "POST", in.bound, "application/json", `{"observer":`, 400, "malformed"},
		{"two documents", "POST", in.bound, "application/json", good + good, 400, "malformed"},
		{"records not a list", "POST", in.bound, "application/json", `{"observer":"node-1/abc","seq":1,"records":{}}`, 400, "malformed"},
		{"oversized body", "POST", in.bound, "application/json", big, 413, "too-large"},
		{"too many records", "POST", in.bound, "application/json", many, 422, "invalid"},
		{"no sequence number", "POST", in.bound, "application/json", strings.Replace(good, `"seq":1`, `"seq":0`, 1), 422, "invalid"},
		{"only unknown fields", "POST", in.bound, "application/json", `{"observer":"node-1/abc","seq":1,"extra":1}`, 422, "invalid"},
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
	reasons := map[string]float64{}
	for _, tt := range tests {
		reasons[tt.reason]++
	}
	wantRefused(t, in, reasons)
}

// TestIngestRejectsRecordsOneByOne: bad records of a batch are rejected
// with their reasons and the good ones stored; fields the server does not
// know (a newer observer) are ignored and counted, not fatal.
func TestIngestRejectsRecordsOneByOne(t *testing.T) {
	in := startIngest(t)
	newer := strings.Replace(recordJSON(2), `"count":2`, `"count":2,"retransmits":1,"rtt":{"p50":3}`, 1)
	records := []string{
		recordJSON(1),
		strings.Replace(recordJSON(1), `"Egress"`, `"Sideways"`, 1),
		strings.Replace(recordJSON(1), `"serverPort":27017`, `"serverPort":"high"`, 1),
		`17`,
		newer,
		strings.Replace(recordJSON(1), `"203.0.113.7"`, `""`, 1),
		strings.Replace(recordJSON(1), `"java"`, `"`+strings.Repeat("j", 65)+`"`, 1),
	}
	body := `{"version":3,"observer":"node-1/abc","seq":1,"sentBy":"observer v9","records":[` + strings.Join(records, ",") + `]}`
	code, msg := post(t, in, "POST", in.bound, "application/json", body)
	if code != 200 {
		t.Fatalf("status %d: %s", code, msg)
	}
	var resp transport.Response
	if err := json.Unmarshal([]byte(msg), &resp); err != nil {
		t.Fatalf("decode the answer %q: %v", msg, err)
	}
	got := map[int]string{}
	for _, r := range resp.Rejected {
		got[r.Record] = r.Reason
		if r.Message == "" {
			t.Errorf("rejection of record %d says nothing", r.Record)
		}
	}
	want := map[int]string{1: "invalid", 2: "malformed", 3: "malformed", 5: "invalid", 6: "invalid"}
	if diff := cmp.Diff(want, got); diff != "" || resp.Accepted != 2 || resp.Version != transport.WireVersion {
		t.Fatalf("rejected (-want +got):\n%s\naccepted %d (want 2), version %d", diff, resp.Accepted, resp.Version)
	}
	if diff := cmp.Diff([]string{"sentBy", "retransmits", "rtt"}, resp.IgnoredFields); diff != "" {
		t.Fatalf("ignored fields (-want +got):\n%s", diff)
	}
	b, err := in.store.Baseline(ctx, javaapp, flow.Window{})
	if err != nil || len(b.Flows) != 1 || b.Flows[0].Count != 3 {
		t.Fatalf("baseline = %+v, %v; want the two good records' 3 connections", b.Flows, err)
	}
	wantRejectedRecords(t, in, map[string]float64{"invalid": 3, "malformed": 2})
	wantMetrics(t, in.reg, `
# HELP netpol_advisor_ingest_records_unknown_fields_total Records carrying fields this server does not know (a newer observer); the fields were ignored.
# TYPE netpol_advisor_ingest_records_unknown_fields_total counter
netpol_advisor_ingest_records_unknown_fields_total 1
`, "netpol_advisor_ingest_records_unknown_fields_total")
	// A retry is recognised and answers the same, without counting again.
	code, msg = post(t, in, "POST", in.bound, "application/json", body)
	if code != 200 || !strings.Contains(msg, `"applied":false`) {
		t.Fatalf("retry: %d %s", code, msg)
	}
	wantRejectedRecords(t, in, map[string]float64{"invalid": 3, "malformed": 2})
}

func TestClientReportsPermanentErrors(t *testing.T) {
	in := startIngest(t)
	c := in.clientFn(in.bound)
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

// recordJSON is a record of javaapp's pod seen now, as an observer sends it.
func recordJSON(count int) string {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	return fmt.Sprintf(`{"workload":{"namespace":"example-java-app","kind":"Deployment","name":"example-java-app-javaapp"},`+
		`"observation":{"localIP":"198.18.0.10","direction":"Egress","client":"198.18.0.10","server":"203.0.113.7",`+
		`"serverPort":27017,"protocol":"TCP","process":"java","count":%d,"firstSeen":%q,"lastSeen":%q}}`, count, now, now)
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
