package policy

import (
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// PeerIndex finds, among many baselines, the flows whose peer is a given
// workload: what Check needs besides the touched workloads' own baselines,
// since a change can block a flow at the peer's end. Whoever keeps
// baselines in memory builds it once and reuses it for many checks. It is
// safe for concurrent reads.
type PeerIndex struct {
	baselines []flow.Baseline
	byPeer    map[flow.WorkloadRef][]flowAt
}

// flowAt is the position of a flow: baseline and flow index.
type flowAt struct{ b, f int32 }

// NewPeerIndex indexes the workload peers of the baselines' flows. The
// baselines must not change while the index is used.
func NewPeerIndex(baselines []flow.Baseline) *PeerIndex {
	x := &PeerIndex{baselines: baselines, byPeer: map[flow.WorkloadRef][]flowAt{}}
	for bi := range baselines {
		for fi := range baselines[bi].Flows {
			if p := &baselines[bi].Flows[fi].Peer; p.Kind == flow.PeerWorkload {
				x.byPeer[p.Workload] = append(x.byPeer[p.Workload], flowAt{int32(bi), int32(fi)})
			}
		}
	}
	return x
}

// Inbound returns partial baselines of the other workloads: each holds
// that workload's flows whose peer is one of touched. With the touched
// workloads' own baselines it is all Check needs.
func (x *PeerIndex) Inbound(touched []flow.WorkloadRef) []flow.Baseline {
	isTouched := make(map[flow.WorkloadRef]bool, len(touched))
	for _, t := range touched {
		isTouched[t] = true
	}
	pos := map[int32]int{}
	var out []flow.Baseline
	for _, t := range touched {
		for _, at := range x.byPeer[t] {
			b := &x.baselines[at.b]
			if isTouched[b.Workload] {
				continue // its whole baseline is the caller's
			}
			i, ok := pos[at.b]
			if !ok {
				i = len(out)
				pos[at.b] = i
				out = append(out, flow.Baseline{Workload: b.Workload, Window: b.Window})
			}
			out[i].Flows = append(out[i].Flows, b.Flows[at.f])
		}
	}
	return out
}
