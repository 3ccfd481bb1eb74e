package resolve

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// backends resolves a Service port to its backends: each EndpointSlice's
// port of the same name and protocol gives the target port (the slice
// holds named target ports already resolved), each endpoint its workload.
// A Service without endpoints (scaled to zero) stays a Service peer, at its
// numeric target port: policies select its pods by the Service's selector.
// A named target port only endpoints resolve here; the flow keeps the
// Service port and the policy core resolves the name on the pods and pod
// templates the selector picks (policy.Cluster.ServicePorts).
func (x *Index) backends(ip netip.Addr, sp svcPort, proto corev1.Protocol, at time.Time) []Target {
	ref := flow.ServiceRef{Namespace: sp.svc.Namespace, Name: sp.svc.Name, Port: sp.port}
	var out []Target
	for _, sl := range x.svc.slices[sp.svc] {
		port, ok := slicePort(sl, sp.portName, proto)
		if !ok {
			continue
		}
		for _, e := range sl.endpoints {
			for _, p := range x.endpointPeers(sp.svc, e, ip.Is4(), port, at) {
				p.Service = ref
				out = appendTarget(out, Target{Peer: p, Port: port})
			}
		}
	}
	if len(out) == 0 {
		return []Target{{Peer: flow.Peer{Kind: flow.PeerService, Service: ref}, Port: cmp.Or(sp.target, sp.port)}}
	}
	slices.SortFunc(out, func(a, b Target) int {
		return flow.CompareKeys(flow.Key{Peer: a.Peer, Port: a.Port}, flow.Key{Peer: b.Peer, Port: b.Port})
	})
	return out
}

func slicePort(sl slice, name string, proto corev1.Protocol) (int32, bool) {
	for _, p := range sl.ports {
		pn := ""
		if p.Name != nil {
			pn = *p.Name
		}
		pp := corev1.ProtocolTCP
		if p.Protocol != nil {
			pp = *p.Protocol
		}
		if pn == name && pp == proto && p.Port != nil {
			return *p.Port, true
		}
	}
	return 0, false
}

// endpointPeers resolves one endpoint: its target pod's workload (a
// host-network pod is its node), the API server for the kubernetes
// Service, else each address of the ClusterIP's family (kube-proxy DNATs
// within a family) as a plain IP.
func (x *Index) endpointPeers(svc types.NamespacedName, e endpoint, v4 bool, port int32, at time.Time) []flow.Peer {
	if e.pod != nil {
		if p, ok := x.podNames[*e.pod]; ok && !p.hostNetwork {
			return []flow.Peer{{Kind: flow.PeerWorkload, Workload: x.workloadOf(p)}}
		}
	}
	var out []flow.Peer
	for _, a := range e.addrs {
		if a.Unmap().Is4() != v4 {
			continue
		}
		if svc == apiServerService {
			out = append(out, flow.Peer{Kind: flow.PeerAPIServer, IP: a})
			continue
		}
		out = append(out, x.address(a, port, at))
	}
	return out
}

func appendTarget(ts []Target, t Target) []Target {
	if slices.Contains(ts, t) {
		return ts
	}
	return append(ts, t)
}
