package policy

import (
	"net/netip"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// checker holds what one Check call shares between flows: the policy sets
// before and after the change, the changed policies, and one Endpoint (one
// *Pod) per workload so that each pod's selecting policies are looked up
// once.
type checker struct {
	cluster       *Cluster
	before, after *policySet
	changed       []*compiled
	endpoints     map[flow.WorkloadRef]*endpointSlot
	slots         []endpointSlot // where endpoints live, allocated by the chunk
}

// endpointSlot is an Endpoint's pod and address, kept out of the map so
// that its entries stay small.
type endpointSlot struct {
	pod Pod
	ip  netip.Addr
}

func newChecker(in CheckInput) *checker {
	c := in.Cluster
	if c == nil {
		c = &Cluster{}
	}
	before := newPolicySet(in.Policies)
	return &checker{cluster: c, before: before, after: before.apply(in.Change), changed: changedPolicies(in.Change),
		endpoints: make(map[flow.WorkloadRef]*endpointSlot, min(len(c.Workloads), 256))}
}

// inChangedNamespace is a cheap first filter: a policy only selects pods
// of its own namespace.
func (k *checker) inChangedNamespace(ns string) bool {
	for _, c := range k.changed {
		if c.namespace == ns {
			return true
		}
	}
	return false
}

// endpoint returns the workload as a connection end, built once per call.
func (k *checker) endpoint(ref flow.WorkloadRef) (Endpoint, bool) {
	if e, ok := k.endpoints[ref]; ok {
		return Endpoint{Pod: &e.pod, IP: e.ip}, true
	}
	w, ok := k.cluster.Workloads[ref]
	if !ok {
		return Endpoint{}, false
	}
	if len(k.slots) == cap(k.slots) {
		k.slots = make([]endpointSlot, 0, 64)
	}
	k.slots = append(k.slots, endpointSlot{})
	e := &k.slots[len(k.slots)-1]
	ep := endpointIn(w, &e.pod)
	e.ip = ep.IP
	k.endpoints[ref] = e
	return ep, true
}

// blocked reports whether a flow of the touched workload self is allowed
// now and blocked after the change. The side of self is evaluated first;
// the peer's side only when it can still matter.
func (k *checker) blocked(self Endpoint, f *flow.Flow) bool {
	conn, peer, ok := k.connection(self, f)
	if !ok {
		return false
	}
	selfDir, peerDir := networkingv1.PolicyTypeEgress, networkingv1.PolicyTypeIngress
	if f.Direction == flow.Ingress {
		selfDir, peerDir = peerDir, selfDir
	}
	selfAfter := k.allows(k.after, self, selfDir, conn)
	peerChanges := k.peerAffected(peer, peerDir)
	if selfAfter && !peerChanges {
		return false
	}
	if !k.allows(k.before, self, selfDir, conn) || !k.allows(k.before, peer, peerDir, conn) {
		return false
	}
	return !selfAfter || !k.allows(k.after, peer, peerDir, conn)
}

func (k *checker) connection(self Endpoint, f *flow.Flow) (Connection, Endpoint, bool) {
	peer := Endpoint{IP: f.Peer.IP}
	if f.Peer.Kind == flow.PeerService {
		// A Service without endpoints: a pod its selector picks.
		sel := k.cluster.Services[flow.ServiceRef{Namespace: f.Peer.Service.Namespace, Name: f.Peer.Service.Name}]
		if len(sel) == 0 {
			return Connection{}, Endpoint{}, false
		}
		peer = Endpoint{Pod: &Pod{Namespace: f.Peer.Service.Namespace, Labels: sel}}
	}
	if f.Peer.Kind == flow.PeerWorkload {
		var ok bool
		if peer, ok = k.endpoint(f.Peer.Workload); !ok {
			return Connection{}, Endpoint{}, false
		}
	}
	conn := Connection{Source: self, Destination: peer, Port: f.Port, Protocol: protocolOf(f.Protocol)}
	if f.Direction == flow.Ingress {
		conn.Source, conn.Destination = peer, self
	}
	return conn, peer, true
}

// peerAffected reports whether the changed policies select the peer pod
// in the direction of its side.
func (k *checker) peerAffected(ep Endpoint, dir networkingv1.PolicyType) bool {
	p := selectable(ep)
	if p == nil {
		return false
	}
	for _, c := range k.changed {
		if c.namespace == p.Namespace && c.selector.matches(labels.Set(p.Labels)) {
			if c.applies(dir) {
				return true
			}
		}
	}
	return false
}

// allows is the verdict of one side without its explanation.
func (k *checker) allows(s *policySet, ep Endpoint, dir networkingv1.PolicyType, conn Connection) bool {
	p := selectable(ep)
	if p == nil {
		return true
	}
	isolated := false
	for _, c := range s.selecting(p) {
		if !c.applies(dir) {
			continue
		}
		isolated = true
		for i := range c.rules(dir) {
			if c.ruleMatches(dir, i, conn, k.cluster.Namespaces) {
				return true
			}
		}
	}
	return !isolated
}
