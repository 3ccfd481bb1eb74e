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
