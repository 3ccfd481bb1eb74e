package flow

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mapAggregate is the straightforward Aggregate: merge by map, then sort
// by key, ties in order of first appearance.
func mapAggregate(flows []Flow) []Flow {
	var out []Flow
	idx := map[Key]int{}
	for _, f := range flows {
		if i, ok := idx[f.Key]; ok {
			out[i].Merge(f)
			continue
		}
		idx[f.Key] = len(out)
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b Flow) int { return CompareKeys(a.Key, b.Key) })
	return out
}

// randomFlows draws flows from small pools, so that keys repeat, and lets
// some peers carry fields their String form ignores (keys that differ but
// compare equal).
func randomFlows(r *rand.Rand, n int, oneWorkload bool) []Flow {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	flows := make([]Flow, n)
	for i := range flows {
		w := WorkloadRef{Namespace: "a", Kind: KindDeployment, Name: "x"}
		if !oneWorkload {
			w = WorkloadRef{Namespace: pick("a", "a-b"), Kind: KindDeployment, Name: pick("x", "x-1")}
		}
		p := Peer{Kind: PeerKind(pick(string(PeerWorkload), string(PeerExternal), string(PeerNode)))}
		p.Workload = WorkloadRef{Namespace: pick("a", "b"), Kind: KindDeployment, Name: pick("db", "db-1")}
		p.IP = netip.AddrFrom4([4]byte{203, 0, 113, byte(r.IntN(3))})
		p.Node = pick("", "n1")
		flows[i] = Flow{Key: Key{Workload: w, Direction: Direction(pick(string(Egress), string(Ingress))), Peer: p,
			Port: int32(r.IntN(3)), Protocol: "TCP", Process: pick("", "java")},
			Count: uint64(r.IntN(5)), Failed: uint64(r.IntN(2)),
			FirstSeen: t0.Add(time.Duration(r.IntN(4)) * time.Minute), LastSeen: t0.Add(time.Duration(4+r.IntN(4)) * time.Minute)}
	}
	return flows
}

var flowOpts = gocmp.Options{cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateEmpty()}

func TestAggregateMatchesMapAggregate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		flows := randomFlows(r, r.IntN(120), i%2 == 0)
		in := slices.Clone(flows)
		got, want := Aggregate(flows), mapAggregate(flows)
		if diff := gocmp.Diff(want, got, flowOpts); diff != "" {
			t.Fatalf("#%d Aggregate differs from a map merge (-want +got):\n%s", i, diff)
		}
		if diff := gocmp.Diff(in, flows, flowOpts); diff != "" {
			t.Fatalf("#%d Aggregate changed its input:\n%s", i, diff)
		}
		if !slices.IsSortedFunc(got, func(a, b Flow) int { return cmp.Compare(CompareKeys(a.Key, b.Key), 0) }) {
			t.Fatalf("#%d Aggregate is not sorted", i)
		}
	}
}

// benchFlows is a workload's baseline as the store holds it: distinct
// edges to workloads of other namespaces, each seen in several buckets.
func benchFlows(edges, buckets int) []Flow {
	var flows []Flow
	for b := range buckets {
		for e := range edges {
			p := Peer{Kind: PeerWorkload, Workload: WorkloadRef{Namespace: fmt.Sprintf("ns%03d", e*7%50), Kind: KindDeployment, Name: fmt.Sprintf("w%04d", e*37%1000)}}
			flows = append(flows, Flow{Key: Key{Workload: WorkloadRef{Namespace: "ns001", Kind: KindDeployment, Name: "w0020"},
				Direction: []Direction{Egress, Ingress}[e%2], Peer: p, Port: 8080, Protocol: "TCP", Process: "app"}, Count: uint64(b + 1)})
		}
	}
	return flows
}

func BenchmarkAggregate(b *testing.B) {
	for _, bc := range []struct{ edges, buckets int }{{300, 1}, {50, 6}} {
		b.Run(fmt.Sprintf("edges=%d/buckets=%d", bc.edges, bc.buckets), func(b *testing.B) {
			flows := benchFlows(bc.edges, bc.buckets)
			for b.Loop() {
				Aggregate(flows)
			}
		})
	}
}
