package badgerstore

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// The rollup fixture: ten days of javaapp's flows every 20 minutes, ending
// at now (a midnight), with DefaultRollups: 72 ten-minute rows for the
// last day, 144 hourly rows for the six days before and 3 daily rows.
var (
	day0    = time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	rollNow = day0.Add(10 * 24 * time.Hour)
	jclient = flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "example-java-app-jclient"}
)

func openRolling(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{Rollups: DefaultRollups})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fillRolling writes the fixture, a day per batch from two observers, and
// one flow of jclient to javaapp at 01:00 on day 1.
func fillRolling(t *testing.T, s *Store) {
	seq := map[string]uint64{}
	for d := range 10 {
		var flows []flow.Flow
		for m := 0; m < 24*60; m += 20 {
			at := day0.Add(time.Duration(d)*24*time.Hour + time.Duration(m)*time.Minute + 7*time.Second)
			f := makeFlow(javaapp, mongo, 27017, uint64(1+m%7), at)
			if m%60 == 40 {
				f = failing(makeFlow(javaapp, external, 27017, 1, at), 1, 0, 0)
			}
			flows = append(flows, f, makeFlow(javaapp, dns, 53, 2, at.Add(time.Minute)))
		}
		if d == 1 {
			flows = append(flows, makeFlow(jclient, flow.Peer{Kind: flow.PeerWorkload, Workload: javaapp}, 8080, 3, day0.Add(25*time.Hour)))
		}
		obs := []string{"node-a", "node-b"}[d%2]
		seq[obs]++
		mustApply(t, s, obs, seq[obs], flows...)
	}
}

// reads are the windows the rollup must leave as they were: everything,
// and windows whose ends fall on the boundaries of the rows they touch.
var rollupWindows = []flow.Window{
	{},
	{From: day0.Add(24 * time.Hour)},
	{From: day0.Add(2 * 24 * time.Hour), To: day0.Add(5*24*time.Hour + 3*time.Hour)},
	{From: rollNow.Add(-2*24*time.Hour + 5*time.Hour), To: rollNow.Add(-3 * time.Hour)},
	{From: rollNow.Add(-90 * time.Minute)},
}

func readAll(t *testing.T, s *Store, wins []flow.Window) [][]flow.Baseline {
	var out [][]flow.Baseline
	for _, win := range wins {
		bls, err := s.Namespace(context.Background(), "", win)
		if err != nil {
			t.Fatalf("Namespace(%v): %v", win, err)
		}
		out = append(out, bls)
	}
	return out
}

func TestRollupKeepsWhatBaselinesHold(t *testing.T) {
	dir := t.TempDir()
	s := openRolling(t, dir)
	fillRolling(t, s)
	before := readAll(t, s, rollupWindows)
	if n := countPrefix(t, s.db, string(workloadPrefix(javaapp))); n != 720 {
		t.Fatalf("javaapp has %d rows before the rollup, want 720", n)
	}
	merged, err := s.Rollup(context.Background(), rollNow)
	if err != nil {
		t.Fatalf("Rollup: %v", err)
	}
	if n := countPrefix(t, s.db, string(workloadPrefix(javaapp))); n != 72+144+3 || merged != 720-n {
		t.Fatalf("javaapp has %d rows after the rollup (%d merged away), want 72+144+3", n, merged)
	}
	if again, err := s.Rollup(context.Background(), rollNow); err != nil || again != 0 {
		t.Fatalf("a second Rollup merged %d rows (%v), want 0", again, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openRolling(t, dir) // from disk, the merged rows not cached
	if err := s.Compact(); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	if diff := cmp.Diff(before, readAll(t, s, rollupWindows), equateAddr); diff != "" {
		t.Fatalf("reads after the rollup differ (-before +after):\n%s", diff)
	}
}

// A window starting inside a rolled-up row reads the whole row and says so.
func TestRollupWindowSaysWhereItStarts(t *testing.T) {
	s := openRolling(t, t.TempDir())
	fillRolling(t, s)
	inside := flow.Window{From: day0.Add(2*24*time.Hour + 5*time.Hour + 30*time.Minute), To: day0.Add(4 * 24 * time.Hour)}
	covering := flow.Window{From: day0.Add(2 * 24 * time.Hour), To: inside.To}
	want, err := s.Baseline(context.Background(), javaapp, covering)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rollup(context.Background(), rollNow); err != nil {
		t.Fatal(err)
	}
	got, err := s.Baseline(context.Background(), javaapp, inside)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, equateAddr); diff != "" {
		t.Fatalf("a window from inside day 2 (-the whole day +got):\n%s", diff)
	}
	hourly := flow.Window{From: day0.Add(6*24*time.Hour + 10*time.Minute)}
	if got, err := s.Baseline(context.Background(), javaapp, hourly); err != nil || !got.Window.From.Equal(day0.Add(6*24*time.Hour)) {
		t.Fatalf("a window from 00:10 on day 6 covers %v (%v), want it to start at the hour", got.Window, err)
	}
}

// The by-peer index covers what the rolled-up rows cover: jclient's only
// flow to javaapp, at 01:00 on day 1, is in its day-1 row, which a window
// of 20:00–21:00 that day reads.
func TestRollupWidensThePeerIndex(t *testing.T) {
	s := openRolling(t, t.TempDir())
	fillRolling(t, s)
	if _, err := s.Rollup(context.Background(), rollNow); err != nil {
		t.Fatal(err)
	}
	for _, win := range []flow.Window{{From: day0.Add(44 * time.Hour), To: day0.Add(45 * time.Hour)}, {From: day0.Add(47 * time.Hour)}, {To: day0.Add(24*time.Hour + 1)}} {
		want := referencingByScan(t, s, []flow.WorkloadRef{javaapp}, win)
		got, err := s.Referencing(context.Background(), []flow.WorkloadRef{javaapp}, win)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, equateAddr); diff != "" || len(want) != 1 {
			t.Fatalf("Referencing(javaapp, %v) after the rollup (-scan +index):\n%s", win, diff)
		}
	}
}

// Rolling up in steps (a rollup stopped half way, or run at every bucket)
// ends where one rollup ends; a late batch into a rolled-up hour lands in a
// bucket row and is merged by the next rollup.
func TestRollupInStepsAndLateBatches(t *testing.T) {
	once, steps := openRolling(t, t.TempDir()), openRolling(t, t.TempDir())
	late := makeFlow(javaapp, mongo, 27017, 5, day0.Add(5*24*time.Hour+3*time.Hour+15*time.Minute))
	for _, s := range []*Store{once, steps} {
		fillRolling(t, s)
	}
	for at := day0.Add(24 * time.Hour); !at.After(rollNow); at = at.Add(7 * time.Hour) {
		if _, err := steps.Rollup(context.Background(), at); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*Store{once, steps} {
		if _, err := s.Rollup(context.Background(), rollNow); err != nil {
			t.Fatal(err)
		}
		mustApply(t, s, "node-c", 1, late)
		if _, err := s.Rollup(context.Background(), rollNow); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(readAll(t, once, rollupWindows), readAll(t, steps, rollupWindows), equateAddr); diff != "" {
		t.Fatalf("rolled up in steps (-at once +in steps):\n%s", diff)
	}
	if n := countPrefix(t, steps.db, string(workloadPrefix(javaapp))); n != 72+144+3 {
		t.Fatalf("javaapp has %d rows, want 72+144+3 (the late batch merged)", n)
	}
}

// A schema-3 store (bucket rows only) opens as schema 4 unchanged and is
// rolled up by the first Rollup.
func TestRollupOfASchema3Store(t *testing.T) {
	dir := t.TempDir()
	s := openRolling(t, dir)
	fillRolling(t, s)
	before := readAll(t, s, rollupWindows)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(longestKey)); err != nil {
			return err
		}
		return txn.Set([]byte(schemaKey), binary.BigEndian.AppendUint64(nil, 3))
	})
	if cerr := db.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	s = openRolling(t, dir)
	if _, err := s.Rollup(context.Background(), rollNow); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, readAll(t, s, rollupWindows), equateAddr); diff != "" {
		t.Fatalf("reads of a schema-3 store after its rollup (-before +after):\n%s", diff)
	}
	var schema uint64
	if err := s.db.View(func(txn *badger.Txn) (err error) { schema, _, err = getMeta(txn, schemaKey); return err }); err != nil || schema != SchemaVersion {
		t.Fatalf("schema recorded %d (%v), want %d", schema, err, SchemaVersion)
	}
}
