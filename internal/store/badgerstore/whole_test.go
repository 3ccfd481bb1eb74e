package badgerstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Reads of the zero window through the merged cache equal a scan of the
// rows, whatever batches, retries, reads and expiries came before: the
// cache is filled by reads, merged into by Apply, emptied by Expire.
func TestWholeWindowCacheEqualsScan(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	rng := rand.New(rand.NewPCG(1, 2))
	refs := make([]flow.WorkloadRef, 8)
	for i := range refs {
		refs[i] = flow.WorkloadRef{Namespace: fmt.Sprintf("ns-%d", i%2), Kind: flow.KindDeployment, Name: fmt.Sprintf("w-%d", i)}
	}
	seq := uint64(0)
	for step := range 60 {
		switch {
		case step%10 == 9:
			if _, err := s.Expire(context.Background(), t0.Add(time.Duration(step/2)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		case step%7 == 6 && seq > 0:
			mustApply(t, s, "node-a", seq, randomFlows(rng, refs, step)...) // a retry: nothing changes
		default:
			seq++
			mustApply(t, s, "node-a", seq, randomFlows(rng, refs, step)...)
		}
		checkWhole(t, s, refs, step)
	}
}

func randomFlows(rng *rand.Rand, refs []flow.WorkloadRef, step int) []flow.Flow {
	var out []flow.Flow
	for range 1 + rng.IntN(6) {
		w, p := refs[rng.IntN(len(refs))], refs[rng.IntN(len(refs))]
		at := t0.Add(time.Duration(step)*time.Minute + time.Duration(rng.IntN(50))*time.Second)
		f := makeFlow(w, flow.Peer{Kind: flow.PeerWorkload, Workload: p}, int32(80+rng.IntN(3)), uint64(1+rng.IntN(5)), at)
		f.Failed = uint64(rng.IntN(2))
		out = append(out, f)
	}
	return out
}

func checkWhole(t *testing.T, s *Store, refs []flow.WorkloadRef, step int) {
	t.Helper()
	ctx := context.Background()
	for _, ns := range []string{"", "ns-0", "ns-1"} {
		want, err := s.scan(ctx, namespacePrefix(ns), flow.Window{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Namespace(ctx, ns, flow.Window{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, equateAddr); diff != "" {
			t.Fatalf("step %d: Namespace(%q) through the cache differs from a scan (-scan +cache):\n%s", step, ns, diff)
		}
	}
	for _, w := range refs[:3] {
		want, _ := s.scan(ctx, workloadPrefix(w), flow.Window{})
		got, err := s.Baseline(ctx, w, flow.Window{})
		if len(want) == 0 {
			if err == nil {
				t.Fatalf("step %d: Baseline(%s) = %d flows from the cache, the rows hold none", step, w, len(got.Flows))
			}
			continue
		}
		if diff := cmp.Diff(want[0], got, equateAddr); diff != "" || err != nil {
			t.Fatalf("step %d: Baseline(%s) through the cache differs from a scan (%v; -scan +cache):\n%s", step, w, err, diff)
		}
	}
}
