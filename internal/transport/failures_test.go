package transport_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// TestIngestKeepsWhyConnectsFailed: the wire's refused, timedOut and
// unreachable reach the store, whether the batch decodes at once or record
// by record (a newer observer's unknown fields), and a record whose kinds
// add up to more than its failed is rejected as invalid.
func TestIngestKeepsWhyConnectsFailed(t *testing.T) {
	in := startIngest(t)
	with := func(fields string) string {
		return strings.Replace(recordJSON(1), `"count":1`, `"count":1,`+fields, 1)
	}
	batches := []string{
		// Every field known: the fast path.
		`{"version":3,"observer":"node-1/abc","seq":1,"records":[` + with(`"failed":3,"refused":2,"timedOut":1`) + `]}`,
		// An unknown field: decoded record by record.
		`{"version":3,"observer":"node-1/abc","seq":2,"sentBy":"observer v9","records":[` +
			with(`"failed":2,"unreachable":1,"rtt":3`) + `,` + with(`"failed":1,"refused":1,"timedOut":1`) +
			// The kinds' sum overflows to within failed: still too many.
			`,` + with(`"failed":18446744073709551615,"refused":18446744073709551615,"timedOut":1`) + `]}`,
	}
	var rejected []transport.Rejection
	for i, body := range batches {
		code, msg := post(t, in, "POST", in.bound, "application/json", body)
		if code != 200 {
			t.Fatalf("batch %d: status %d: %s", i+1, code, msg)
		}
		var resp transport.Response
		if err := json.Unmarshal([]byte(msg), &resp); err != nil {
			t.Fatalf("decode the answer %q: %v", msg, err)
		}
		rejected = append(rejected, resp.Rejected...)
	}
	if len(rejected) != 2 {
		t.Fatalf("rejected = %+v, want records 1 and 2 of batch 2", rejected)
	}
	for i, r := range rejected {
		if r.Record != i+1 || r.Reason != "invalid" || !strings.Contains(r.Message, "exceed failed") {
			t.Errorf("rejection %+v, want record %d invalid: its kinds exceed failed", r, i+1)
		}
	}
	b, err := in.store.Baseline(ctx, javaapp, flow.Window{})
	if err != nil || len(b.Flows) != 1 {
		t.Fatalf("baseline = %+v, %v; want one flow", b.Flows, err)
	}
	got := b.Flows[0]
	type counts struct {
		Count, Failed uint64
		flow.Failures
	}
	want := counts{Count: 2, Failed: 5, Failures: flow.Failures{Refused: 2, TimedOut: 1, Unreachable: 1}}
	if diff := cmp.Diff(want, counts{got.Count, got.Failed, got.Failures}); diff != "" {
		t.Fatalf("stored counts (-want +got):\n%s", diff)
	}
}
