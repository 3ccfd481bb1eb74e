package badgerstore

import (
	"slices"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// toPeers chooses, of a baseline, the flows whose peer is one of a few
// workloads: what a NetworkPolicy review needs of the baselines of the
// workloads calling those it touches (Inbound). A nil *toPeers chooses
// every flow.
type toPeers struct {
	// shared: every flow, not copied (BaselineView).
	shared bool
	isPeer map[flow.WorkloadRef]bool
	// namespaces are the peers' few namespaces: in a scan, most flows
	// leave at a compare.
	namespaces []string
}

// sharedFlows chooses every flow of a merged baseline and copies none.
var sharedFlows = &toPeers{shared: true}

// positions reports whether t reads through a baseline's positions of
// flows by peer.
func (t *toPeers) positions() bool { return t != nil && !t.shared }

func newToPeers(peers []flow.WorkloadRef) *toPeers {
	t := &toPeers{isPeer: make(map[flow.WorkloadRef]bool, len(peers))}
	for _, p := range peers {
		t.isPeer[p] = true
		if !slices.Contains(t.namespaces, p.Namespace) {
			t.namespaces = append(t.namespaces, p.Namespace)
		}
	}
	return t
}

// keep reports whether f is one of the flows t chooses.
func (t *toPeers) keep(f *flow.Flow) bool {
	return t == nil || t.shared || f.Peer.Kind == flow.PeerWorkload && slices.Contains(t.namespaces, f.Peer.Workload.Namespace) &&
		t.isPeer[f.Peer.Workload]
}

// copy returns the flows t chooses, in their order: through byPeer (the
// flows' positions by workload peer) when given, else by looking at each.
func (t *toPeers) copy(flows []flow.Flow, byPeer peerPositions) []flow.Flow {
	switch {
	case t == nil:
		return slices.Clone(flows)
	case t.shared:
		return slices.Clip(flows)
	case byPeer == nil:
		var out []flow.Flow
		for i := range flows {
			if t.keep(&flows[i]) {
				out = append(out, flows[i])
			}
		}
		return out
	}
	var at []int32
	for _, ns := range t.namespaces {
		for _, p := range byPeer[ns] {
			if t.isPeer[p.peer] {
				at = append(at, p.at...)
			}
		}
	}
	if len(at) == 0 {
		return nil
	}
	slices.Sort(at)
	out := make([]flow.Flow, len(at))
	for i, j := range at {
		out[i] = flows[j]
	}
	return out
}

// peerPositions are the positions of a baseline's flows by workload peer,
// grouped by the peer's namespace: a reader of the flows to a few peers
// looks up their one or two namespaces, then the few peers of those the
// baseline has, instead of each of its peers.
type peerPositions map[string][]peerAt

// peerAt is a workload peer and the positions of its flows.
type peerAt struct {
	peer flow.WorkloadRef
	at   []int32
}

// positionsOf indexes flows by their workload peer.
func positionsOf(flows []flow.Flow) peerPositions {
	out := peerPositions{}
	for i := range flows {
		p := &flows[i].Peer
		if p.Kind != flow.PeerWorkload {
			continue
		}
		list := out[p.Workload.Namespace]
		j := slices.IndexFunc(list, func(q peerAt) bool { return q.peer == p.Workload })
		if j < 0 {
			j, list = len(list), append(list, peerAt{peer: p.Workload})
		}
		list[j].at = append(list[j].at, int32(i))
		out[p.Workload.Namespace] = list
	}
	return out
}
