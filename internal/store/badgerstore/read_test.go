package badgerstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// randomHistory is flows of a few workloads over several buckets, edges
// repeating across buckets and batches, peers of every kind.
func randomHistory(r *rand.Rand, n int) []flow.Flow {
	peers := []flow.Peer{mongo, external, dns,
		{Kind: flow.PeerNode, Node: "node-1", IP: netip.MustParseAddr("198.18.0.1")},
		{Kind: flow.PeerAPIServer, IP: netip.MustParseAddr("fd00:198:18::1")}}
	out := make([]flow.Flow, n)
	for i := range out {
		w := flow.WorkloadRef{Namespace: fmt.Sprintf("ns-%d", r.IntN(2)), Kind: flow.KindDeployment, Name: fmt.Sprintf("app-%d", r.IntN(3))}
		f := makeFlow(w, peers[r.IntN(len(peers))], int32(53+r.IntN(3)), uint64(1+r.IntN(4)), t0.Add(time.Duration(r.IntN(50))*time.Minute))
		f.Process = []string{"java", "curl", ""}[r.IntN(3)]
		f.Failed = uint64(r.IntN(4))
		f.Refused = uint64(r.IntN(int(f.Failed) + 1))
		f.TimedOut = uint64(r.IntN(int(f.Failed-f.Refused) + 1))
		f.Unreachable = f.Failed - f.Refused - f.TimedOut
		out[i] = f
	}
	return out
}

// A read merges every bucket and batch of a workload as flow.Aggregate
// merges the flows that were applied, read after read.
func TestReadEqualsAggregateOfApplied(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	s := openStore(t, t.TempDir(), 10*time.Minute)
	flows := randomHistory(r, 600)
	for i := range 6 {
		mustApply(t, s, "obs", uint64(i+1), flows[i*100:(i+1)*100]...)
	}
	want := map[flow.WorkloadRef][]flow.Flow{}
	for _, f := range flows {
		want[f.Workload] = append(want[f.Workload], f)
	}
	opts := cmp.Options{cmpopts.EquateComparable(netip.Addr{})}
	for round := range 3 {
		for w, fs := range want {
			b, err := s.Baseline(context.Background(), w, flow.Window{})
			if err != nil {
				t.Fatalf("Baseline(%s): %v", w, err)
			}
			if diff := cmp.Diff(flow.Aggregate(fs), b.Flows, opts); diff != "" {
				t.Fatalf("round %d: baseline of %s differs from the aggregate of its flows (-want +got):\n%s", round, w, diff)
			}
		}
		bls, err := s.Namespace(context.Background(), "", flow.Window{})
		if err != nil || len(bls) != len(want) {
			t.Fatalf("Namespace: %d baselines, %v; want %d", len(bls), err, len(want))
		}
		for _, b := range bls {
			if diff := cmp.Diff(flow.Aggregate(want[b.Workload]), b.Flows, opts); diff != "" {
				t.Fatalf("round %d: namespace read of %s differs (-want +got):\n%s", round, b.Workload, diff)
			}
		}
	}
}
