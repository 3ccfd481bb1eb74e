package badgerstore

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Workloads with many peers (a public service seeing thousands of client
// IPs) make big rows; a batch of the largest size the transport accepts
// (10,000 records) touching 2,500 such rows must still apply atomically.
func TestBatchesOfBigRowsApply(t *testing.T) {
	s := openStore(t, t.TempDir(), 0)
	const workloads, perBatch = 2500, 10000
	for seq := range 16 {
		flows := make([]flow.Flow, perBatch)
		for i := range flows {
			w := flow.WorkloadRef{Namespace: "web", Kind: flow.KindDeployment, Name: fmt.Sprintf("site-%d", i%workloads)}
			client := netip.AddrFrom4([4]byte{203, 0, 113, byte(seq*4 + i/workloads)})
			flows[i] = makeFlow(w, flow.Peer{Kind: flow.PeerExternal, IP: client}, 443, 1, t0)
			flows[i].Direction = flow.Ingress
		}
		if _, err := s.Apply(context.Background(), store.Batch{Observer: "node-a", Seq: uint64(seq + 1), Flows: flows}); err != nil {
			t.Fatalf("Apply batch %d: %v", seq+1, err)
		}
	}
	b, err := s.Baseline(context.Background(), flow.WorkloadRef{Namespace: "web", Kind: flow.KindDeployment, Name: "site-7"}, flow.Window{})
	if err != nil || len(b.Flows) != 64 {
		t.Fatalf("Baseline of site-7 = %d flows, %v; want 64 client IPs", len(b.Flows), err)
	}
}
