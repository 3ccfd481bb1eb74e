package badgerstore

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// Inbound is what the webhook built before from whole baselines: the
// peer index of every baseline calling a peer, asked for the flows to the
// peers (policy.PeerIndex.Inbound), over everything kept and over a
// window that leaves some flows out.
func TestInboundEqualsThePeerIndexOfAFullScan(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	refs := peerWorld(t, s, 20, 1, t0)
	late := makeFlow(refs[7], flow.Peer{Kind: flow.PeerWorkload, Workload: refs[9]}, 9090, 3, t0.Add(time.Hour))
	mustApply(t, s, "node-a", 2, late)
	recent := flow.Window{From: t0.Add(30 * time.Minute)}
	for _, win := range []flow.Window{{}, recent} {
		for _, peers := range [][]flow.WorkloadRef{{refs[5]}, {refs[9]}, {refs[0], refs[1]}, {refs[3], refs[9], refs[19]}, refs, {{Namespace: "x", Kind: flow.KindJob, Name: "none"}}} {
			got, err := s.Inbound(context.Background(), peers, win)
			if err != nil {
				t.Fatal(err)
			}
			want := policy.NewPeerIndex(referencingByScan(t, s, peers, win)).Inbound(peers)
			if diff := gocmp.Diff(sortedBaselines(want), sortedBaselines(got), equateAddr); diff != "" {
				t.Errorf("Inbound(%v) over %v differs from the peer index of a full scan (-scan +store):\n%s", peers, win, diff)
			}
		}
	}
	got, err := s.Inbound(context.Background(), []flow.WorkloadRef{refs[9]}, recent)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Flows) != 1 || got[0].Flows[0].Port != 9090 {
		t.Errorf("in the last half hour w-09 is called by w-07 on 9090 only, Inbound = %+v", got)
	}
	// A batch after those reads (the merged baselines and their positions
	// of flows by peer are cached) is in the next read.
	mustApply(t, s, "node-a", 3, makeFlow(refs[7], flow.Peer{Kind: flow.PeerWorkload, Workload: refs[9]}, 7070, 1, t0.Add(2*time.Hour)))
	got, err = s.Inbound(context.Background(), []flow.WorkloadRef{refs[9]}, flow.Window{})
	if err != nil {
		t.Fatal(err)
	}
	var ports []int32
	for _, b := range got {
		for _, f := range b.Flows {
			if b.Workload == refs[7] {
				ports = append(ports, f.Port)
			}
		}
	}
	if slices.Sort(ports); !slices.Equal(ports, []int32{7070, 8080, 9090}) {
		t.Errorf("w-07's flows to w-09 after a new batch: ports %v, want 7070, 8080, 9090", ports)
	}
}

// sortedBaselines orders baselines by workload and their flows by key.
func sortedBaselines(bls []flow.Baseline) []flow.Baseline {
	out := slices.Clone(bls)
	for i := range out {
		out[i].Flows = slices.Clone(out[i].Flows)
		flow.SortFlows(out[i].Flows)
	}
	slices.SortFunc(out, func(a, b flow.Baseline) int {
		return cmp.Or(cmp.Compare(a.Workload.Namespace, b.Workload.Namespace), cmp.Compare(a.Workload.Name, b.Workload.Name))
	})
	if len(out) == 0 {
		return nil
	}
	return out
}

// splitPeerKey reads back the source of a key peerKeyTo wrote, and refuses
// keys of another shape.
func TestSplitPeerKey(t *testing.T) {
	peer := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "db"}
	src := flow.WorkloadRef{Namespace: "web", Kind: flow.KindStatefulSet, Name: "api-0"}
	got, err := splitPeerKey(peerKeyTo(nil, peer, src))
	if err != nil || got != src {
		t.Errorf("splitPeerKey = %v, %v; want %v", got, err, src)
	}
	good := string(peerKeyTo(nil, peer, src))
	for _, k := range []string{"", peerPrefix, good[:len(good)-1], good + "x\x00", "q/" + good[len(peerPrefix):], good[:len(peerPrefix)+5]} {
		if w, err := splitPeerKey([]byte(k)); err == nil {
			t.Errorf("splitPeerKey(%q) = %v, want an error", k, w)
		}
	}
}
