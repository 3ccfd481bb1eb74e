package transport_test

import (
	"math"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// TestFutureTimesAreClampedAndCountsSaturate posts the year-2200 flow of
// the issue: it is stored at the server's time (so it expires and stays
// out of windows after now), a time within the allowed skew is kept, and
// counts that would wrap saturate.
func TestFutureTimesAreClampedAndCountsSaturate(t *testing.T) {
	in := startIngest(t)
	c := in.clientFn(in.bound)
	y2200 := makeRecord(27017, math.MaxUint64)
	y2200.Observation.FirstSeen = time.Date(2199, 12, 31, 0, 0, 0, 0, time.UTC)
	y2200.Observation.LastSeen = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	big := makeRecord(27017, math.MaxUint64) // the same edge again: the sum would wrap
	skewed := makeRecord(443, 1)
	skewed.Observation.LastSeen = skewed.Observation.LastSeen.Add(2 * time.Minute) // within --max-clock-skew
	before := time.Now()
	resp, err := c.Send(ctx, "node-1/abc", store.Pending{Seq: 1, Records: []store.Record{y2200, big, skewed}})
	after := time.Now()
	if err != nil || resp.Accepted != 3 || resp.Clamped != 1 {
		t.Fatalf("Send = %+v, %v; want 3 accepted, 1 clamped", resp, err)
	}
	b, err := in.store.Baseline(ctx, javaapp, flow.Window{})
	if err != nil || len(b.Flows) != 2 {
		t.Fatalf("Baseline = %+v, %v; want two flows", b.Flows, err)
	}
	for _, f := range b.Flows {
		switch f.Port {
		case 27017:
			if f.LastSeen.Before(before.Add(-time.Second)) || f.LastSeen.After(after) || f.FirstSeen.After(f.LastSeen) {
				t.Errorf("the year-2200 flow is stored from %s to %s, want at the server's time (%s..%s)", f.FirstSeen, f.LastSeen, before, after)
			}
			if f.Count != math.MaxUint64 {
				t.Errorf("count = %d, want it saturated at %d", f.Count, uint64(math.MaxUint64))
			}
		case 443:
			if !f.LastSeen.Equal(skewed.Observation.LastSeen) {
				t.Errorf("a time within the skew was changed: %s, want %s", f.LastSeen, skewed.Observation.LastSeen)
			}
		}
	}
	later, err := in.store.Namespace(ctx, javaapp.Namespace, flow.Window{From: after.Add(time.Hour)})
	if err != nil || len(later) != 0 {
		t.Fatalf("a window an hour from now holds %+v, %v; want nothing (the 2200 flow showed in every window)", later, err)
	}
	wantMetrics(t, in.reg, `
# HELP netpol_advisor_ingest_records_clamped_total Accepted records whose times were later than the server's clock plus --max-clock-skew and were set to the server's time.
# TYPE netpol_advisor_ingest_records_clamped_total counter
netpol_advisor_ingest_records_clamped_total 1
`, "netpol_advisor_ingest_records_clamped_total")
}

// TestRecordsOlderThanRetentionAreRejected: a flow that ended before
// anything the server keeps is refused (it would only be expired).
func TestRecordsOlderThanRetentionAreRejected(t *testing.T) {
	in := startIngest(t)
	in.handler.MaxAge = time.Hour
	old := makeRecord(27017, 1)
	old.Observation.FirstSeen = old.Observation.FirstSeen.Add(-3 * time.Hour)
	old.Observation.LastSeen = old.Observation.LastSeen.Add(-2 * time.Hour)
	resp, err := in.clientFn(in.bound).Send(ctx, "node-1/abc", store.Pending{Seq: 1, Records: []store.Record{old, makeRecord(80, 1)}})
	if err != nil || resp.Accepted != 1 || len(resp.Rejected) != 1 || resp.Rejected[0].Reason != "too-old" {
		t.Fatalf("Send = %+v, %v; want the old record rejected as too-old", resp, err)
	}
}
