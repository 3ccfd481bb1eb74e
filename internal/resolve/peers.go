package resolve

import (
	"net/netip"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Target is a resolved peer and the port a NetworkPolicy must allow for it:
// for Services the backend's target port, otherwise the port seen.
type Target struct {
	Peer flow.Peer
	Port int32
}

// Remote resolves the remote end of an observation at its LastSeen. An
// egress to a Service ClusterIP gives one target per backend workload (or
// API server endpoint), each with its target port; anything else gives one.
func (x *Index) Remote(o flow.Observation) []Target {
	at := o.LastSeen
	if at.IsZero() {
		at = o.FirstSeen
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	ip := o.Peer().Unmap()
	if o.Direction == flow.Egress {
		if sp, ok := x.svc.byAddr[svcAddr{ip, int32(o.ServerPort), protocolOr(o.Protocol)}]; ok {
			return x.backends(ip, sp, protocolOr(o.Protocol), at)
		}
		return []Target{{Peer: x.address(ip, int32(o.ServerPort), at), Port: int32(o.ServerPort)}}
	}
	return []Target{{Peer: x.address(ip, 0, at), Port: int32(o.ServerPort)}}
}

// address resolves a plain IP; port is the server port for egress (0 for
// ingress), which tells the API server from other services of its node.
func (x *Index) address(ip netip.Addr, port int32, at time.Time) flow.Peer {
	if p, ok := x.podAt(ip, at); ok {
		return flow.Peer{Kind: flow.PeerWorkload, Workload: x.workloadOf(p)}
	}
	if x.svc.apiServer(ip, port) {
		return flow.Peer{Kind: flow.PeerAPIServer, IP: ip}
	}
	if node, ok := x.nodes[ip]; ok {
		return flow.Peer{Kind: flow.PeerNode, IP: ip, Node: node}
	}
	if slices.Contains(x.nodeLocal, ip) {
		return flow.Peer{Kind: flow.PeerNodeLocalDNS, IP: ip}
	}
	if x.forgotten(ip, at) {
		return flow.Peer{Kind: flow.PeerUnresolved, IP: ip}
	}
	return flow.Peer{Kind: flow.PeerExternal, IP: ip}
}

// forgotten reports whether ip, unknown now, may have been a pod's at t:
// t is before the history the index holds (it started later, or the pod's
// tenancy was collected after the grace), and ip is not outside every
// node's pod CIDR (when nodes publish them). Such a flow, replayed from a
// long backlog, must not be taken for external traffic.
func (x *Index) forgotten(ip netip.Addr, t time.Time) bool {
	horizon := x.now().Add(-x.grace)
	if x.since.After(horizon) {
		horizon = x.since
	}
	if !t.Before(horizon) {
		return false
	}
	if len(x.podCIDRs) == 0 && len(x.staticCIDRs) == 0 {
		return true
	}
	for _, c := range x.staticCIDRs {
		if c.Contains(ip) {
			return true
		}
	}
	for _, cidrs := range x.podCIDRs {
		for _, c := range cidrs {
			if c.Contains(ip) {
				return true
			}
		}
	}
	return false
}

// Local resolves an observing socket's address to one of the indexed
// pods' workload at t. Host-network pods are not found by IP (it is the
// node's); see LocalByUID.
func (x *Index) Local(ip netip.Addr, at time.Time) (flow.WorkloadRef, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	p, ok := x.podAt(ip.Unmap(), at)
	if !ok {
		return flow.WorkloadRef{}, false
	}
	return x.workloadOf(p), true
}

// LocalByUID resolves a pod, by UID, to its workload: for host-network pods,
// whose sockets are told apart by cgroup.
func (x *Index) LocalByUID(uid string) (flow.WorkloadRef, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	p, ok := x.pods[types.UID(uid)]
	if !ok {
		return flow.WorkloadRef{}, false
	}
	return x.workloadOf(p), true
}
