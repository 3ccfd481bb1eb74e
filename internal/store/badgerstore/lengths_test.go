package badgerstore

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// TestRowOfAnEarlierRollupIsRead: the rollups may change between runs
// (Options.Rollups), and rows of a length the new configuration does not
// name stay until a coarser rollup takes them. A window starting inside
// such a row must still read it: here 2-hour rows (an earlier
// configuration) under the default rollups (1 h, 24 h), and a window
// starting at 11:30, inside the row of 10:00–12:00, after a row of
// 08:00–10:00 that ends before it.
func TestRowOfAnEarlierRollupIsRead(t *testing.T) {
	dir := t.TempDir()
	day := day0.Add(5 * 24 * time.Hour)
	early := makeFlow(javaapp, dns, 53, 2, day.Add(9*time.Hour))
	late := makeFlow(javaapp, mongo, 27017, 3, day.Add(11*time.Hour+40*time.Minute))
	s, err := Open(dir, Options{Rollups: []Rollup{{After: 24 * time.Hour, Bucket: 2 * time.Hour}}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustApply(t, s, "node-a", 1, early, late)
	if _, err := s.Rollup(context.Background(), day.Add(3*24*time.Hour)); err != nil {
		t.Fatalf("Rollup: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openRolling(t, dir) // DefaultRollups from now on
	win := flow.Window{From: day.Add(11*time.Hour + 30*time.Minute), To: day.Add(13 * time.Hour)}
	got, err := s.Baseline(context.Background(), javaapp, win)
	if err != nil {
		t.Fatalf("Baseline(%v): %v", win, err)
	}
	if diff := cmp.Diff(flow.Aggregate([]flow.Flow{late}), got.Flows, equateAddr); diff != "" {
		t.Fatalf("Baseline(%v) covering %v (-seen in it +got):\n%s", win, got.Window, diff)
	}
}
