package badgerstore

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Expire removes a rolled-up row only once all of it is past the cutoff,
// and keeps the merged rows of the workloads it touched, equal to the
// rows kept (they used to be dropped, making the next full read cold).
func TestExpireRolledUpRowsKeepsMergedRows(t *testing.T) {
	s := openRolling(t, t.TempDir())
	fillRolling(t, s)
	if _, err := s.Rollup(context.Background(), rollNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Baseline(context.Background(), javaapp, flow.Window{}); err != nil {
		t.Fatal(err) // fills the merged rows
	}
	removed, err := s.Expire(context.Background(), day0.Add(36*time.Hour))
	if err != nil || removed != 1 {
		t.Fatalf("Expire at 12:00 on day 1 removed %d rows (%v), want day 0's row only", removed, err)
	}
	if !s.whole.has(javaapp) {
		t.Fatalf("Expire dropped javaapp's merged rows")
	}
	want, err := s.scan(context.Background(), workloadPrefix(javaapp), flow.Window{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Baseline(context.Background(), javaapp, flow.Window{})
	if diff := cmp.Diff(want[0], got, equateAddr); diff != "" || err != nil {
		t.Fatalf("merged rows after Expire differ from the rows kept (%v; -rows +merged):\n%s", err, diff)
	}
	for _, f := range got.Flows {
		if f.FirstSeen.Before(day0.Add(24 * time.Hour)) {
			t.Fatalf("flow %v first seen %v survived the expiry of day 0", f.Key, f.FirstSeen)
		}
	}
	if _, err := s.Baseline(context.Background(), jclient, flow.Window{From: day0}); err != nil {
		t.Fatalf("jclient's day-1 row went with the cutoff inside day 1: %v", err)
	}
}
