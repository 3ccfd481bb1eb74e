package policy

import (
	"slices"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// InForce judges observed flows against the NetworkPolicies in force, as
// Kubernetes enforces them now (not against a proposed change, as Check
// does), with Check's machinery: both ends of every flow, at every pair of
// the pods' addresses. It backs the continuous mismatch evaluation and the
// attribution of failed connects. Policies of a namespace are compiled the
// first time a flow needs them, so judging a few workloads of a large
// cluster costs little. An InForce is not safe for concurrent use.
type InForce struct {
	k *checker
}

// Blocked is an observed flow that the policies in force block.
type Blocked struct {
	Class Class     `json:"class"`
	Flow  flow.Flow `json:"flow"`
	// Policies (namespace/name, sorted) isolate an end of the connection in
	// its direction without allowing it.
	Policies []string `json:"policies"`
	// Partial: some pairs of the flow's ends (addresses of its pods) are
	// allowed, others blocked.
	Partial bool `json:"partial,omitempty"`
}

// NewInForce prepares to judge flows in cluster under policies.
func NewInForce(cluster *Cluster, policies []networkingv1.NetworkPolicy) *InForce {
	return &InForce{k: newChecker(CheckInput{Cluster: cluster, Policies: policies})}
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
		pols, o, ok := x.judge(f)
		if !ok || !o.blocked {
			continue
		}
		bl := Blocked{Class: classify(x.k.cluster, *f), Flow: *f, Policies: pols, Partial: o.partial}
		bl.Flow.Failed = 0 // about the connects that succeeded
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
	_, o, _ := x.judge(&b.Flow)
	pol := ""
	if len(b.Policies) > 0 {
		pol = b.Policies[0]
	}
	return newFinding(x.k.selections(), b.Flow.Workload, b.Flow, pol, o)
}

// Blocking returns the policies in force that block f at either end, at
// some pair of its ends (namespace/name, sorted): none when they allow it.
// ok is false when an end of f is a workload the cluster does not know.
func (x *InForce) Blocking(f flow.Flow) (policies []string, ok bool) {
	pols, _, ok := x.judge(&f)
	return pols, ok
}

// judge evaluates f at every pair of its ends under the policies in force.
func (x *InForce) judge(f *flow.Flow) ([]string, outcome, bool) {
	k := x.k
	self := k.workload(f.Workload)
	if self == nil {
		return nil, outcome{}, false
	}
	peer := k.peer(f)
	if peer == nil {
		return nil, outcome{}, false
	}
	selfDir, peerDir := sides(f.Direction)
	var pols []string
	var o outcome
	pairs, blocked := 0, 0
	for _, s := range self.eps {
		for _, p := range peer.eps {
			pairs++
			conn := connectionOf(s, p, f)
			own, theirs := k.isolating(s, selfDir, conn), k.isolating(p, peerDir, conn)
			if len(own)+len(theirs) == 0 {
				continue
			}
			blocked++
			o.own, o.peer = o.own || len(own) > 0, o.peer || len(theirs) > 0
			pols = append(append(pols, own...), theirs...)
		}
	}
	o.blocked, o.partial = blocked > 0, blocked > 0 && blocked < pairs
	slices.Sort(pols)
	return slices.Compact(pols), o, true
}
