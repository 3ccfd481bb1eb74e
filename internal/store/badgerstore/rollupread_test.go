package badgerstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Any window over rows of mixed lengths returns exactly the flows seen in
// the window it says it covers, which holds the window asked for and
// widens it by less than one row at each end.
func TestWindowsOverRolledUpRows(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := openRolling(t, t.TempDir())
	var flows []flow.Flow
	for i := range 400 {
		f := randomHistory(r, 1)[0]
		f.FirstSeen = day0.Add(time.Duration(r.Int64N(int64(10 * 24 * time.Hour))))
		f.LastSeen = f.FirstSeen
		flows = append(flows, f)
		if i%50 == 49 {
			mustApply(t, s, "obs", uint64(i/50+1), flows[i-49:]...)
		}
	}
	if _, err := s.Rollup(context.Background(), rollNow); err != nil {
		t.Fatal(err)
	}
	for range 300 {
		win := randomWindow(r)
		for _, w := range []flow.WorkloadRef{flows[0].Workload, flows[1].Workload} {
			got, err := s.Baseline(context.Background(), w, win)
			want := seenIn(flows, w, got.Window)
			if errors.Is(err, store.ErrNotFound) && len(seenIn(flows, w, win)) == 0 {
				continue
			}
			if err != nil {
				t.Fatalf("Baseline(%s, %v): %v", w, win, err)
			}
			if diff := cmp.Diff(want, got.Flows, equateAddr); diff != "" {
				t.Fatalf("Baseline(%s, %v) covering %v (-seen in it +got):\n%s", w, win, got.Window, diff)
			}
			checkCovers(t, win, got.Window)
		}
	}
}

func randomWindow(r *rand.Rand) flow.Window {
	at := func() time.Time { return day0.Add(time.Duration(r.Int64N(int64(11 * 24 * time.Hour)))) }
	win := flow.Window{From: at(), To: at()}
	if win.To.Before(win.From) {
		win.From, win.To = win.To, win.From
	}
	switch r.IntN(4) {
	case 0:
		win.From = time.Time{}
	case 1:
		win.To = time.Time{}
	}
	return win
}

func seenIn(flows []flow.Flow, w flow.WorkloadRef, win flow.Window) []flow.Flow {
	var in []flow.Flow
	for _, f := range flows {
		if f.Workload == w && win.Contains(f.LastSeen) {
			in = append(in, f)
		}
	}
	return flow.Aggregate(in)
}

func checkCovers(t *testing.T, asked, covered flow.Window) {
	t.Helper()
	day := 24 * time.Hour
	if asked.From.IsZero() != covered.From.IsZero() || covered.From.After(asked.From) || asked.From.Sub(covered.From) >= day ||
		asked.To.IsZero() != covered.To.IsZero() || covered.To.Before(asked.To) || covered.To.Sub(asked.To) >= day {
		t.Fatalf("asked for %v, covered %v: want it held and widened by less than a day at each end", asked, covered)
	}
}
