package badgerstore

import (
	"context"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// BenchmarkFullReadAfterExpire is the mismatch evaluation's store read (every
// workload over everything kept) right after the retention removed the
// oldest bucket of every workload, as it does every 10 minutes when every
// workload is active: 100 workloads × 10 edges × 2,016 buckets, no rollup
// (the worst case). "kept" is the store as it is (Expire computes the
// merged rows again); "dropped" forgets them after Expire, as the store did
// before, so the read is cold. Each iteration expires one more bucket
// outside the timer and reports, besides ns/op (the read), expire-ms: what
// the Expire itself took, which now includes the recomputation.
func BenchmarkFullReadAfterExpire(b *testing.B) {
	s, refs, now := fill14Days(b, Options{})
	ctx := context.Background()
	if _, err := s.Namespace(ctx, "", flow.Window{}); err != nil {
		b.Fatal(err) // the merged rows, as a running server has them
	}
	cutoff := now.Add(-2015 * DefaultBucket)
	for _, name := range []string{"kept", "dropped"} {
		b.Run(name, func(b *testing.B) {
			var expiring time.Duration
			for b.Loop() {
				b.StopTimer()
				begin := time.Now()
				cutoff = cutoff.Add(DefaultBucket)
				if n, err := s.Expire(ctx, cutoff); err != nil || n != len(refs) {
					b.Fatalf("Expire removed %d rows (%v), want one per workload", n, err)
				}
				expiring += time.Since(begin)
				if name == "dropped" {
					for _, w := range refs {
						s.whole.drop(w)
					}
				}
				b.StartTimer()
				if bls, err := s.Namespace(ctx, "", flow.Window{}); err != nil || len(bls) != len(refs) {
					b.Fatalf("Namespace: %d baselines, %v", len(bls), err)
				}
			}
			b.ReportMetric(float64(expiring.Microseconds())/1e3/float64(b.N), "expire-ms")
		})
	}
}
