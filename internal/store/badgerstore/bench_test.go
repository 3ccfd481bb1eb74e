package badgerstore

import (
	"context"
	"fmt"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// benchFlows builds n distinct records: 1,000 workloads × 50 edges, each
// seen at a time that moves on by a second per record, so buckets roll over
// as they would in a live cluster.
func benchFlows(n int, start time.Time) []flow.Flow {
	out := make([]flow.Flow, n)
	for i := range out {
		w := flow.WorkloadRef{Namespace: fmt.Sprintf("ns-%d", i%100), Kind: flow.KindDeployment, Name: fmt.Sprintf("app-%d", i%1000)}
		peer := flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: w.Namespace, Kind: flow.KindStatefulSet, Name: fmt.Sprintf("db-%d", (i/1000)%50)}}
		if i%10 == 0 {
			peer = flow.Peer{Kind: flow.PeerExternal, IP: netip.AddrFrom4([4]byte{203, 0, 113, byte(i % 250)})}
		}
		out[i] = makeFlow(w, peer, 5432, 1, start.Add(time.Duration(i)*time.Millisecond))
	}
	return out
}

// BenchmarkApply measures server ingest into Badger on disk, in batches of
// 5,000 records as the transport delivers them. Run with -cpu 1 for the
// GOMAXPROCS=1 figure; it reports records/s.
func BenchmarkApply(b *testing.B) {
	const batch = 5000
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	batches := make([][]flow.Flow, 20)
	for i := range batches {
		batches[i] = benchFlows(batch, t0.Add(time.Duration(i)*time.Minute))
	}
	ctx := context.Background()
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Apply(ctx, store.Batch{Observer: "bench", Seq: uint64(i + 1), Flows: batches[i%len(batches)]}); err != nil {
			b.Fatalf("Apply: %v", err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
	// On a shared machine wall time includes waiting for a CPU; the
	// process's own CPU time (user+system, Badger's goroutines included)
	// tells what one core sustains.
	b.ReportMetric(float64(b.N*batch)/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
