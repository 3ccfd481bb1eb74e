package apiserver

import (
	"cmp"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/api"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/convert"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// topology renders one workload's baseline as a graph: the workload and
// each peer are nodes (a peer reached through a Service is the Service's
// backend workload; the Service is named on the peer), and edges point from
// the side that opened the connection. External peers are kept: the page
// and the CLI mark them.
func topology(name string, b flow.Baseline) *v1alpha1.Topology {
	g := api.BuildTopology(b.Window, []flow.Baseline{b}, true)
	self := nodeID(flow.Peer{Kind: flow.PeerWorkload, Workload: b.Workload})
	out := &v1alpha1.Topology{ObjectMeta: objectMeta(name, b.Workload, b.Window.From), Workload: convert.WorkloadRef(b.Workload),
		Window: convert.Window(b.Window), Edges: []v1alpha1.TopologyEdge{}}
	nodes := map[string]v1alpha1.Peer{self: convert.Peer(flow.Peer{Kind: flow.PeerWorkload, Workload: b.Workload})}
	for _, e := range g.Edges {
		id := nodeID(e.Peer)
		if _, ok := nodes[id]; !ok {
			p := convert.Peer(e.Peer)
			p.Service, p.Display = "", nodeDisplay(e.Peer)
			nodes[id] = p
		}
		from, to := self, id
		if e.Direction == flow.Ingress {
			from, to = id, self
		}
		out.Edges = append(out.Edges, v1alpha1.TopologyEdge{From: from, To: to, Port: e.Port, Protocol: string(e.Protocol),
			Processes: e.Processes, Count: convert.Saturate(e.Count), Failed: convert.Saturate(e.Failed),
			LastSeen: metav1.Time{Time: e.LastSeen.UTC()}})
	}
	for id, p := range nodes {
		out.Nodes = append(out.Nodes, v1alpha1.TopologyNode{ID: id, Peer: p})
	}
	slices.SortFunc(out.Nodes, func(a, b v1alpha1.TopologyNode) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(out.Edges, func(a, b v1alpha1.TopologyEdge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Protocol, b.Protocol),
			cmp.Compare(a.Port, b.Port))
	})
	return out
}

// nodeID names a graph node by what it is, not by how it was reached, so a
// workload reached directly and through its Service is one node.
func nodeID(p flow.Peer) string {
	if p.Kind == flow.PeerWorkload {
		return p.Workload.String()
	}
	p.Service = flow.ServiceRef{}
	return p.String()
}

func nodeDisplay(p flow.Peer) string {
	p.Service = flow.ServiceRef{}
	return p.String()
}
