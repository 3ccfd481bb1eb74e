package flow

import (
	"fmt"
	"net/netip"
)

// PeerKind says what is at the other end of a flow.
type PeerKind string

const (
	// PeerWorkload is a pod network pod, resolved to its workload. When it was
	// reached through a Service, Peer.Service names that Service too.
	PeerWorkload PeerKind = "Workload"
	// PeerNode is a node IP or a host-network pod. Policies can only reach it
	// by ipBlock; it is never guessed into a pod selector.
	PeerNode PeerKind = "Node"
	// PeerAPIServer is an endpoint of the kubernetes Service in default: the
	// API server, matched by endpoint IP and port, not the ClusterIP.
	PeerAPIServer PeerKind = "APIServer"
	// PeerExternal is an address outside the cluster: unresolved.
	PeerExternal PeerKind = "External"
)

// Peer is the other end of a flow. It is comparable and used in map keys.
type Peer struct {
	Kind PeerKind `json:"kind"`
	// Workload is the peer workload (PeerWorkload only).
	Workload WorkloadRef `json:"workload,omitzero"`
	// Service is the Service the observing workload connected to, when the
	// connection went through a ClusterIP (egress only).
	Service ServiceRef `json:"service,omitzero"`
	// IP is the peer address for node, API server and external peers.
	IP netip.Addr `json:"ip,omitzero"`
	// Node is the node name for PeerNode, when known.
	Node string `json:"node,omitempty"`
}

// String renders the peer for humans and for stable sorting.
func (p Peer) String() string {
	switch p.Kind {
	case PeerWorkload:
		if !p.Service.IsZero() {
			return fmt.Sprintf("%s via service %s", p.Workload, p.Service)
		}
		return p.Workload.String()
	case PeerNode:
		if p.Node != "" {
			return fmt.Sprintf("node %s (%s)", p.Node, p.IP)
		}
		return "node " + p.IP.String()
	case PeerAPIServer:
		return "apiserver " + p.IP.String()
	case PeerExternal:
		return "external " + p.IP.String()
	}
	return string(p.Kind)
}
