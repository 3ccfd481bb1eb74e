package api

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Topology is a graph view of baselines: one edge per workload, peer, port,
// protocol and direction, merged over processes. External peers are left
// out unless asked for; Excluded says how many edges that hid.
type Topology struct {
	Window   flow.Window        `json:"window"`
	Nodes    []flow.WorkloadRef `json:"nodes"`
	Edges    []Edge             `json:"edges"`
	Excluded int                `json:"excludedExternal,omitempty"`
}

// Edge is one line of a topology.
type Edge struct {
	Workload  flow.WorkloadRef `json:"workload"`
	Direction flow.Direction   `json:"direction"`
	Peer      flow.Peer        `json:"peer"`
	PeerName  string           `json:"peerName"`
	Port      int32            `json:"port"`
	Protocol  corev1.Protocol  `json:"protocol"`
	Processes []string         `json:"processes,omitempty"`
	Count     uint64           `json:"count"`
	Failed    uint64           `json:"failed,omitempty"`
	LastSeen  time.Time        `json:"lastSeen"`
}

type edgeKey struct {
	w    flow.WorkloadRef
	dir  flow.Direction
	peer flow.Peer
	port int32
	prot corev1.Protocol
}

// BuildTopology builds the graph of baselines; it keeps their (sorted) order.
func BuildTopology(win flow.Window, bls []flow.Baseline, external bool) Topology {
	t := Topology{Window: win, Nodes: []flow.WorkloadRef{}, Edges: []Edge{}}
	idx := map[edgeKey]int{}
	for _, b := range bls {
		t.Nodes = append(t.Nodes, b.Workload)
		for _, f := range b.Flows {
			if f.Peer.Kind == flow.PeerExternal && !external {
				t.Excluded++
				continue
			}
			k := edgeKey{f.Workload, f.Direction, f.Peer, f.Port, f.Protocol}
			i, ok := idx[k]
			if !ok {
				i = len(t.Edges)
				idx[k] = i
				t.Edges = append(t.Edges, Edge{Workload: f.Workload, Direction: f.Direction, Peer: f.Peer,
					PeerName: f.Peer.String(), Port: f.Port, Protocol: f.Protocol})
			}
			e := &t.Edges[i]
			e.Count += f.Count
			e.Failed += f.Failed
			if f.LastSeen.After(e.LastSeen) {
				e.LastSeen = f.LastSeen
			}
			if f.Process != "" {
				// A node's word: escaped and bounded before it reaches a
				// terminal or the page.
				e.Processes = append(e.Processes, flow.SanitizeProcess(f.Process))
			}
		}
	}
	for i := range t.Edges {
		slices.Sort(t.Edges[i].Processes)
		t.Edges[i].Processes = slices.Compact(t.Edges[i].Processes)
	}
	return t
}
