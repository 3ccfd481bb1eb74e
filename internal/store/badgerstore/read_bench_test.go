package badgerstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// BenchmarkBaseline reads one workload's baseline, 50 edges spread over
// 6 buckets, out of 1,000 workloads on disk: what the webhook does per
// touched workload.
func BenchmarkBaseline(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	var flows []flow.Flow
	for w := range 1000 {
		ref := flow.WorkloadRef{Namespace: fmt.Sprintf("ns%03d", w/20), Kind: flow.KindDeployment, Name: fmt.Sprintf("w%04d", w)}
		for e := range 50 {
			peer := flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: fmt.Sprintf("ns%03d", e*7%50), Kind: flow.KindDeployment, Name: fmt.Sprintf("w%04d", (w+e*37)%1000)}}
			flows = append(flows, makeFlow(ref, peer, 8080, 1, t0.Add(time.Duration(e)*time.Minute)))
		}
	}
	for i := 0; i*5000 < len(flows); i++ {
		batch := store.Batch{Observer: "bench", Seq: uint64(i + 1), Flows: flows[i*5000 : (i+1)*5000]}
		if _, err := s.Apply(context.Background(), batch); err != nil {
			b.Fatalf("Apply: %v", err)
		}
	}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		ref := flows[(i*37%1000)*50].Workload
		if _, err := s.Baseline(ctx, ref, flow.Window{}); err != nil {
			b.Fatalf("Baseline(%s): %v", ref, err)
		}
	}
}

// BenchmarkBaseline14Days reads one workload's baseline of 10 edges seen
// in each of 14 days of 10-minute buckets (2,016 rows), out of 100
// workloads: from the rows (a window with an end, as a user's "until
// Monday"), and over everything kept through the merged cache (the
// webhooks' and the mismatch evaluation's default).
func BenchmarkBaseline14Days(b *testing.B) {
	s, refs, now := fill14Days(b, Options{})
	for name, win := range map[string]flow.Window{"rows": {To: now.Add(time.Hour)}, "merged": {}} {
		b.Run(name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if bl, err := s.Baseline(context.Background(), refs[i%len(refs)], win); err != nil || len(bl.Flows) != 10 {
					b.Fatalf("Baseline: %d flows, %v", len(bl.Flows), err)
				}
			}
		})
	}
}

// fill14Days opens a store with o and writes 100 workloads' 10 edges, each
// seen in every 10-minute bucket of 14 days ending at now.
func fill14Days(b *testing.B, o Options) (*Store, []flow.WorkloadRef, time.Time) {
	s, err := Open(b.TempDir(), o)
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	refs := make([]flow.WorkloadRef, 100)
	for w := range refs {
		refs[w] = flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: fmt.Sprintf("w%03d", w)}
	}
	now := time.Now().Truncate(DefaultBucket)
	for bucket := range 2016 {
		var flows []flow.Flow
		at := now.Add(-time.Duration(bucket) * DefaultBucket)
		for w, ref := range refs {
			for e := range 10 {
				flows = append(flows, makeFlow(ref, flow.Peer{Kind: flow.PeerWorkload, Workload: refs[(w+e+1)%len(refs)]}, 8080, 1, at))
			}
		}
		if _, err := s.Apply(context.Background(), store.Batch{Observer: "bench", Seq: uint64(bucket + 1), Flows: flows}); err != nil {
			b.Fatalf("Apply: %v", err)
		}
	}
	return s, refs, now
}

// BenchmarkBaseline14DaysRolledUp is BenchmarkBaseline14Days/rows after
// the default rollups: a window with an end in the past reads 144 bucket
// rows, 144 hourly and 7 daily ones instead of 2,016. It reports the rows
// per workload.
func BenchmarkBaseline14DaysRolledUp(b *testing.B) {
	s, refs, now := fill14Days(b, Options{Rollups: DefaultRollups})
	if _, err := s.Rollup(context.Background(), now.Add(DefaultBucket)); err != nil {
		b.Fatal(err)
	}
	win := flow.Window{To: now.Add(time.Hour)}
	for i := 0; b.Loop(); i++ {
		if bl, err := s.Baseline(context.Background(), refs[i%len(refs)], win); err != nil || len(bl.Flows) != 10 {
			b.Fatalf("Baseline: %d flows, %v", len(bl.Flows), err)
		}
	}
	b.ReportMetric(float64(countPrefix(b, s.db, string(workloadPrefix(refs[0])))), "rows/workload")
}
