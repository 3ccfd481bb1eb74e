package badgerstore

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// TestRollupOfRowsAroundARowOfAnEarlierRollup: a row of an earlier
// configuration's length (2 h, under the default rollups) sorts between
// the rows of the hour that starts with it, so that hour's rows are two
// groups in key order; late batches wrote them after the 2-hour rollup.
// Each group merges into the same hourly row, and neither may overwrite
// what the other merged there: every count stays.
func TestRollupOfRowsAroundARowOfAnEarlierRollup(t *testing.T) {
	dir := t.TempDir()
	day := day0.Add(5 * 24 * time.Hour)
	now := day.Add(3 * 24 * time.Hour)
	s, err := Open(dir, Options{Rollups: []Rollup{{After: 24 * time.Hour, Bucket: 2 * time.Hour}}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	flows := []flow.Flow{makeFlow(javaapp, dns, 53, 2, day.Add(11*time.Hour))}
	mustApply(t, s, "node-a", 1, flows...)
	if _, err := s.Rollup(context.Background(), now); err != nil {
		t.Fatalf("Rollup: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openRolling(t, dir) // DefaultRollups from now on
	late := []flow.Flow{
		makeFlow(javaapp, mongo, 27017, 3, day.Add(10*time.Hour+5*time.Minute)),
		makeFlow(javaapp, mongo, 27017, 5, day.Add(10*time.Hour+25*time.Minute)),
	}
	mustApply(t, s, "node-b", 1, late...)
	flows = append(flows, late...)
	if _, err := s.Rollup(context.Background(), now); err != nil {
		t.Fatalf("Rollup: %v", err)
	}
	win := flow.Window{From: day, To: day.Add(24 * time.Hour)}
	got, err := s.Baseline(context.Background(), javaapp, win)
	if err != nil {
		t.Fatalf("Baseline(%v): %v", win, err)
	}
	if diff := cmp.Diff(flow.Aggregate(flows), got.Flows, equateAddr); diff != "" {
		t.Fatalf("Baseline(%v) after the rollup (-applied +got):\n%s", win, diff)
	}
}
