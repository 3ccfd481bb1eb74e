package badgerstore

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

var (
	t0      = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	javaapp = flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "example-java-app-javaapp"}
	mongo   = flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindStatefulSet, Name: "example-java-app-mongo"},
		Service: flow.ServiceRef{Namespace: "example-java-app", Name: "mongo", Port: 27017}}
	external = flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}
	dns      = flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: "kube-system", Kind: flow.KindDeployment, Name: "coredns"}}
)

// makeFlow builds an egress flow of javaapp seen count times at at.
func makeFlow(w flow.WorkloadRef, p flow.Peer, port int32, count uint64, at time.Time) flow.Flow {
	return flow.Flow{
		Key:   flow.Key{Workload: w, Direction: flow.Egress, Peer: p, Port: port, Protocol: "TCP", Process: "java"},
		Count: count, FirstSeen: at, LastSeen: at,
	}
}

func openStore(t *testing.T, dir string, bucket time.Duration) *Store {
	t.Helper()
	s, err := Open(dir, Options{Bucket: bucket})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustApply(t *testing.T, s *Store, observer string, seq uint64, flows ...flow.Flow) bool {
	t.Helper()
	applied, err := s.Apply(context.Background(), store.Batch{Observer: observer, Seq: seq, Flows: flows})
	if err != nil {
		t.Fatalf("Apply(%s, %d): %v", observer, seq, err)
	}
	return applied
}
