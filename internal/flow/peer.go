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
	// PeerExternal is an address outside the cluster.
	PeerExternal PeerKind = "External"
	// PeerNodeLocalDNS is NodeLocal DNSCache: a host-network cache on every
	// node, listening on a link-local address (169.254.20.10 by default).
	// Policies reach it by ipBlock; it is DNS, not an external address.
	PeerNodeLocalDNS PeerKind = "NodeLocalDNS"
	// PeerService is a Service that had no endpoints when the flow was
	// resolved (scaled to zero): Service names it, the flow's port is its
	// target port. Policies select its pods by the Service's selector; an
	// ipBlock on the ClusterIP never matches after DNAT.
	PeerService PeerKind = "Service"
	// PeerUnresolved is an address whose owner at the flow's time is no
	// longer known (the flow is older than the resolver's history of pod
	// IPs). It may have been a pod: never advise an ipBlock for it.
	PeerUnresolved PeerKind = "Unresolved"
)

// Peer is the other end of a flow. It is comparable and used in map keys.
type Peer struct {
	Kind PeerKind `json:"kind"`
	// Workload is the peer workload (PeerWorkload only).
	Workload WorkloadRef `json:"workload,omitzero"`
	// Service is the Service the observing workload connected to, when the
	// connection went through a ClusterIP (egress only).
	Service ServiceRef `json:"service,omitzero"`
	// IP is the peer address for node, API server, node-local DNS,
	// external and unresolved peers.
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
	case PeerNodeLocalDNS:
		return "node-local dns " + p.IP.String()
	case PeerService:
		return fmt.Sprintf("service %s (no endpoints)", p.Service)
	case PeerUnresolved:
		return "unresolved " + p.IP.String()
	}
	return string(p.Kind)
}
