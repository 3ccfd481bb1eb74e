package scale

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
)

// bucket is the server's default bucket; 14 days of it are 2,016 buckets.
const bucket = badgerstore.DefaultBucket

// fillStore writes buckets buckets of baselines, ending now, into a new
// Badger store in dir, as observers would have sent them: every edge of
// the world seen in every bucket (the worst case for a long window). Then
// it rolls the old buckets up with the server's default rollups, as the
// server's maintenance pass would have done as they aged, and compacts the
// store (what Badger's compactions reach as the server keeps writing). It
// returns the flows written and how long the rollup and compaction took.
func (w *world) fillStore(tb testing.TB, dir string, buckets int) (int, time.Duration) {
	st := openFill(tb, dir)
	now := time.Now().Truncate(bucket)
	flows := w.edges()
	batch := make([]flow.Flow, len(flows))
	for b := range buckets {
		at := now.Add(-time.Duration(buckets-1-b) * bucket)
		for i, f := range flows {
			f.Count, f.FirstSeen, f.LastSeen = 12, at.Add(time.Minute), at.Add(9*time.Minute)
			batch[i] = f
		}
		if _, err := st.Apply(context.Background(), store.Batch{Observer: "scale-fill", Seq: uint64(b + 1), Flows: batch}); err != nil {
			tb.Fatalf("fill bucket %d of %d: %v", b+1, buckets, err)
		}
	}
	begin := time.Now()
	if _, err := st.Rollup(context.Background(), time.Now()); err != nil {
		tb.Fatalf("roll up the filled store: %v", err)
	}
	closeFill(tb, st)
	st = openFill(tb, dir) // the memtables flushed, so Compact sees every deletion
	if err := st.Compact(); err != nil {
		tb.Fatal(err)
	}
	closeFill(tb, st)
	return len(flows) * buckets, time.Since(begin)
}

func openFill(tb testing.TB, dir string) *badgerstore.Store {
	st, err := badgerstore.Open(dir, badgerstore.Options{Bucket: bucket, Rollups: badgerstore.DefaultRollups})
	if err != nil {
		tb.Fatalf("open the baseline store: %v", err)
	}
	return st
}

func closeFill(tb testing.TB, st *badgerstore.Store) {
	if err := st.Close(); err != nil {
		tb.Fatalf("close the baseline store: %v", err)
	}
}

// edges is one bucket's flows: each workload's egress to its peers (through
// their Service when they have one) and to DNS, and each peer's ingress
// from it, as the two observers would report them.
func (w *world) edges() []flow.Flow {
	var out []flow.Flow
	dns := flow.Peer{Kind: flow.PeerWorkload, Workload: w.dns.ref, Service: flow.ServiceRef{Namespace: "kube-system", Name: "coredns", Port: 80}}
	for _, wl := range w.workloads {
		out = append(out, edge(wl.ref, flow.Egress, dns, 53, corev1.ProtocolUDP, "app"))
		for _, p := range wl.peers {
			peer := w.workloads[p]
			to := flow.Peer{Kind: flow.PeerWorkload, Workload: peer.ref}
			if peer.served() {
				to.Service = flow.ServiceRef{Namespace: peer.ref.Namespace, Name: peer.ref.Name, Port: 80}
			}
			out = append(out, edge(wl.ref, flow.Egress, to, peer.port, corev1.ProtocolTCP, "app"),
				edge(peer.ref, flow.Ingress, flow.Peer{Kind: flow.PeerWorkload, Workload: wl.ref}, peer.port, corev1.ProtocolTCP, "server"))
		}
	}
	return out
}

func edge(w flow.WorkloadRef, d flow.Direction, peer flow.Peer, port int32, proto corev1.Protocol, process string) flow.Flow {
	return flow.Flow{Key: flow.Key{Workload: w, Direction: d, Peer: peer, Port: port, Protocol: proto, Process: process}}
}
