package policy

import (
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// checker holds what one Check call shares between flows: the policy sets
// before and after the change, the changed policies, and each workload's
// ends (built once per call, so that each pod's selecting policies are
// looked up once).
type checker struct {
	cluster       *Cluster
	before, after *policySet
	changed       []*compiled
	change        Change
	ends          map[flow.WorkloadRef]*ends
	single        ends // an address that is not a pod, reused per flow
	sels          *selections
	slab          []ends // where ends live, a chunk of mem at a time
	mem           *arena
	// hits, excluded: the flows the change blocks (to peers the user
	// excluded), in mem's arrays.
	hits, excluded []hit
}

// selections are the pod selections the findings' fixes name, computed
// when the first finding needs one.
func (k *checker) selections() *selections {
	if k.sels == nil {
		k.sels = newSelections(k.cluster)
		k.sels.slab, k.sels.byMembers = k.mem.members, k.mem.byMembers
	}
	return k.sels
}

// ends are a workload's connection ends and, per end, whether the change
// can narrow what its pod's policies allow for ingress or egress (see
// narrows); selIn, selEg: a changed policy selects some end at all.
type ends struct {
	eps          []Endpoint
	affIn, affEg []bool
	anyIn, anyEg bool
	selIn, selEg bool
	// Most workloads are one pod at one address (or a snapshot without
	// pods): their end lives here rather than in three allocations.
	one          [1]Endpoint
	pod          Pod
	oneIn, oneEg [1]bool
	// picked are, per end, the policies selecting its pod before (0) and
	// after (1) the change, once asked (see policiesOf); onePicked holds
	// them for a one-end workload.
	picked    [2][]picked
	onePicked [2][1]picked
}

// picked are the policies selecting an end's pod, once known.
type picked struct {
	policies []*compiled
	known    bool
}

// affected reports whether the changed policies select end i for dir.
func (e *ends) affected(i int, dir networkingv1.PolicyType) bool {
	if dir == networkingv1.PolicyTypeIngress {
		return e.affIn != nil && e.affIn[i]
	}
	return e.affEg != nil && e.affEg[i]
}

// selected reports whether a changed policy selects some end for dir.
func (e *ends) selected(dir networkingv1.PolicyType) bool {
	if dir == networkingv1.PolicyTypeIngress {
		return e.selIn
	}
	return e.selEg
}

// concerns reports whether the change concerns a flow at these ends in
// dir: it can narrow what some end allows, or, for a flow with failed
// connects (reported whenever a changed policy selects an end), a changed
// policy selects some end.
func (e *ends) concerns(dir networkingv1.PolicyType, f *flow.Flow) bool {
	// f.Failed is read last: it lies in another cache line than the
	// flow's peer, and most ends are selected by no changed policy.
	if dir == networkingv1.PolicyTypeIngress {
		return e.anyIn || e.selIn && f.Failed > 0
	}
	return e.anyEg || e.selEg && f.Failed > 0
}

func newChecker(in CheckInput) *checker {
	c := in.Cluster
	if c == nil {
		c = &Cluster{}
	}
	before := newPolicySet(in.Policies)
	// The changed namespace is compiled per call: it is one namespace, and
	// its list comes from the request (Old as the request says it was), not
	// only from what the API server stored at those versions.
	before.cache, before.uncached = indexes, changedNamespace(in.Change)
	mem := arenas.Get().(*arena)
	before.memo = mem.memos[0]
	after := before.apply(in.Change)
	if after != before {
		after.memo = mem.memos[1]
	}
	return &checker{cluster: c, before: before, after: after, changed: changedPolicies(in.Change),
		change: in.Change, ends: mem.ends, single: ends{eps: make([]Endpoint, 1)}, mem: mem,
		hits: mem.hits[0][:0], excluded: mem.hits[1][:0]}
}

// release gives the checker's memory to the next one; k must not be used
// after. Checkers that live on (InForce) never release theirs.
func (k *checker) release() {
	k.mem.hits = [2][]hit{k.hits, k.excluded}
	if k.sels != nil {
		k.mem.members, k.mem.byMembers = k.sels.release()
	}
	k.mem.reset()
	arenas.Put(k.mem)
	k.mem, k.ends, k.slab = nil, nil, nil
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

// workload returns the workload's ends, built once per call; nil when the
// snapshot does not know it.
func (k *checker) workload(ref flow.WorkloadRef) *ends {
	if e, ok := k.ends[ref]; ok {
		return e
	}
	w, ok := k.cluster.Workloads[ref]
	if !ok {
		k.ends[ref] = nil
		return nil
	}
	return k.build(ref, w)
}

// service returns the ends of a Service that had no endpoints: a pod its
// selector picks; nil without a selector.
func (k *checker) service(s flow.ServiceRef) *ends {
	ref := flow.WorkloadRef{Namespace: s.Namespace, Kind: "Service", Name: s.Name}
	if e, ok := k.ends[ref]; ok {
		return e
	}
	sel := k.cluster.Services[flow.ServiceRef{Namespace: s.Namespace, Name: s.Name}]
	if len(sel) == 0 {
		k.ends[ref] = nil
		return nil
	}
	svc := flow.ServiceRef{Namespace: s.Namespace, Name: s.Name}
	return k.build(ref, Workload{Ref: ref, Labels: sel, Ports: k.cluster.backendPorts(svc)})
}

// build makes and keeps the ends of w.
func (k *checker) build(ref flow.WorkloadRef, w Workload) *ends {
	e := k.newEnds(w)
	if k.inChangedNamespace(ref.Namespace) {
		e.affIn, e.affEg = e.oneIn[:], e.oneEg[:]
		if len(e.eps) > 1 {
			e.affIn, e.affEg = make([]bool, len(e.eps)), make([]bool, len(e.eps))
		}
		for i, ep := range e.eps {
			sel, nar := k.selects(ep)
			e.affIn[i], e.affEg[i] = nar.in, nar.eg
			e.anyIn, e.anyEg = e.anyIn || nar.in, e.anyEg || nar.eg
			e.selIn, e.selEg = e.selIn || sel.in, e.selEg || sel.eg
		}
	}
	k.ends[ref] = e
	return e
}

// newEnds builds w's ends in the slab.
func (k *checker) newEnds(w Workload) *ends {
	if len(k.slab) == cap(k.slab) {
		k.slab = k.mem.chunk()
	}
	k.slab = append(k.slab, ends{})
	e := &k.slab[len(k.slab)-1]
	if len(w.Pods) > 0 || len(w.IPs) > 1 {
		e.eps = endpoints(w)
		return e
	}
	e.pod = Pod{Namespace: w.Ref.Namespace, Labels: w.Labels, Ports: w.Ports, HostNetwork: w.HostNetwork}
	e.one[0] = Endpoint{Pod: &e.pod}
	if len(w.IPs) == 1 {
		e.one[0].IP = w.IPs[0]
	}
	e.eps = e.one[:]
	return e
}

// peer returns the ends of a flow's peer: the workload's, or the bare
// address of any other peer (valid until the next call).
func (k *checker) peer(f *flow.Flow) *ends {
	switch f.Peer.Kind {
	case flow.PeerWorkload:
		return k.workload(f.Peer.Workload)
	case flow.PeerService:
		return k.service(f.Peer.Service)
	}
	k.single.eps[0] = Endpoint{IP: f.Peer.IP}
	return &k.single
}

// policiesOf returns the policies of s (the set before or after the
// change) selecting end i's pod, kept in e: a pointer's step instead of a
// lookup in the set's memo for every flow judged at the end.
func (k *checker) policiesOf(s *policySet, e *ends, i int, p *Pod) []*compiled {
	w := 0
	if s != k.before {
		w = 1
	}
	slots := e.picked[w]
	if slots == nil {
		slots = e.onePicked[w][:]
		if len(e.eps) > 1 {
			slots = make([]picked, len(e.eps))
		}
		e.picked[w] = slots
	}
	if !slots[i].known {
		slots[i] = picked{policies: s.selecting(p), known: true}
	}
	return slots[i].policies
}

// allows is the verdict of one side, at end i of e, without its
// explanation.
func (k *checker) allows(s *policySet, e *ends, i int, dir networkingv1.PolicyType, conn Connection) bool {
	p := selectable(e.eps[i])
	if p == nil {
		return true
	}
	isolated := false
	for _, c := range k.policiesOf(s, e, i, p) {
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
