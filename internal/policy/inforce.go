package policy

import (
	"slices"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// InForce judges observed flows against the NetworkPolicies in force, as
// Kubernetes enforces them now (not against a proposed change, as Check
// does). It backs the continuous mismatch evaluation and the attribution of
// failed connects. Policies of a namespace are compiled the first time a
// flow needs them, so judging a few workloads of a large cluster costs
// little. An InForce is not safe for concurrent use.
type InForce struct {
	cluster *Cluster
	set     *policySet
	pods    map[flow.WorkloadRef]*endpointSlot
}

// Blocked is an observed flow that the policies in force block.
type Blocked struct {
	Class Class     `json:"class"`
	Flow  flow.Flow `json:"flow"`
	// Policies (namespace/name, sorted) isolate an end of the connection in
	// its direction without allowing it.
	Policies []string `json:"policies"`
}

// NewInForce prepares to judge flows in cluster under policies.
func NewInForce(cluster *Cluster, policies []networkingv1.NetworkPolicy) *InForce {
	if cluster == nil {
		cluster = &Cluster{}
	}
	return &InForce{cluster: cluster, set: newPolicySet(policies), pods: make(map[flow.WorkloadRef]*endpointSlot)}
}

// Blocked lists the flows of b seen established at least once (failed
// connects alone are not traffic to allow) that the policies in force
// block. Flows to peers adj excludes come back apart: not problems.
func (x *InForce) Blocked(b flow.Baseline, adj Adjustments) (blocked, excluded []Blocked) {
	for i := range b.Flows {
		f := &b.Flows[i]
		if f.Count == 0 {
			continue
		}
		pols, ok := x.blocking(f)
		if !ok || len(pols) == 0 {
			continue
		}
		bl := Blocked{Class: classify(x.cluster, *f), Flow: *f, Policies: pols}
		if adj.Excludes(f.Peer) {
			excluded = append(excluded, bl)
		} else {
			blocked = append(blocked, bl)
		}
	}
	return blocked, excluded
}

// Explain says in words what blocks b and how to allow it, as Check's
// findings do (Policy is the first blocking policy).
func (x *InForce) Explain(b Blocked) Finding {
	pol := ""
	if len(b.Policies) > 0 {
		pol = b.Policies[0]
	}
	return newFinding(x.cluster, b.Flow.Workload, b.Flow, pol)
}

// Blocking returns the policies in force that block f at either end
// (namespace/name, sorted): none when they allow it. ok is false when an
// end of f is a workload the cluster does not know.
func (x *InForce) Blocking(f flow.Flow) (policies []string, ok bool) {
	return x.blocking(&f)
}

func (x *InForce) blocking(f *flow.Flow) ([]string, bool) {
	self, ok := x.endpoint(f.Workload)
	if !ok {
		return nil, false
	}
	peer := Endpoint{IP: f.Peer.IP}
	if f.Peer.Kind == flow.PeerWorkload {
		if peer, ok = x.endpoint(f.Peer.Workload); !ok {
			return nil, false
		}
	}
	conn := Connection{Source: self, Destination: peer, Port: f.Port, Protocol: protocolOf(f.Protocol)}
	if f.Direction == flow.Ingress {
		conn.Source, conn.Destination = peer, self
	}
	v := evaluate(x.set.selecting, x.cluster.Namespaces, conn)
	var out []string
	if !v.Egress.Allowed {
		out = append(out, v.Egress.Isolating...)
	}
	if !v.Ingress.Allowed {
		out = append(out, v.Ingress.Isolating...)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// endpoint is the workload as a connection end, one *Pod per workload so
// that the policy set's memo of selecting policies applies.
func (x *InForce) endpoint(ref flow.WorkloadRef) (Endpoint, bool) {
	if e, ok := x.pods[ref]; ok {
		return Endpoint{Pod: &e.pod, IP: e.ip}, true
	}
	w, ok := x.cluster.Workloads[ref]
	if !ok {
		return Endpoint{}, false
	}
	e := &endpointSlot{}
	ep := endpointIn(w, &e.pod)
	e.ip = ep.IP
	x.pods[ref] = e
	return ep, true
}
