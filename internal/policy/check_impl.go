package policy

import (
	"fmt"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func check(in CheckInput) Report {
	k := newChecker(in)
	defer k.release()
	name := changedName(in.Change)
	var r Report
	for _, b := range in.Baselines {
		var self *ends // built when a flow needs it: most baselines have none
		inNS := k.inChangedNamespace(b.Workload.Namespace)
		adj := in.Adjustments[b.Workload]
		for i := range b.Flows {
			f := &b.Flows[i] // flows are large: no copy per flow
			var peer *ends
			if !inNS {
				if peer = k.changedPeer(f); peer == nil {
					continue
				}
			}
			if self == nil {
				if self = k.workload(b.Workload); self == nil {
					break
				}
			}
			if inNS && !k.mayChange(self, f) {
				continue // out of the namespace, changedPeer said it may
			}
			if peer == nil {
				if peer = k.peer(f); peer == nil {
					continue
				}
			}
			k.checkFlow(&r, self, peer, f, name, adj)
		}
	}
	lazy := lazyTexts(in.TextLimit, k.hits)
	write := func(bare bool) func(h *hit) Finding {
		return func(h *hit) Finding {
			switch {
			case h.fd != nil:
				return *h.fd
			case bare:
				return bareFinding(k.cluster, *h.f, name, h.o)
			}
			return newFinding(k.selections(), h.f.Workload, *h.f, name, h.o)
		}
	}
	r.Findings, r.Excluded = foldServicePeers(mergeHits(k.hits, write(lazy))), foldServicePeers(mergeHits(k.excluded, write(false)))
	r.Findings = dropMirrors(r.Findings, r.Excluded, k.mem.mirrors)
	if in.TextLimit > 0 {
		writeTexts(k.selections(), r.Findings, in.TextLimit, lazy)
	}
	sortFailing(r.Failing)
	r.AlsoIsolates = alsoIsolates(k.cluster, in.Change.New)
	return r
}

// checkFlow adds what the change does to f to r.
func (k *checker) checkFlow(r *Report, self, peer *ends, f *flow.Flow, name string, adj Adjustments) {
	if f.Failed > 0 {
		r.Failing = append(r.Failing, k.failed(self, peer, f))
	}
	if f.Count == 0 {
		return // a failed connect is never traffic to allow
	}
	if f.Peer.Kind == flow.PeerService {
		k.judgeService(self, peer, *f, name, adj)
		return
	}
	k.judgeInto(self, peer, f, adj)
}

// judgeInto keeps the flow as a hit (or an excluded one) when the change
// blocks it; its finding is written after all flows are judged.
func (k *checker) judgeInto(self, peer *ends, f *flow.Flow, adj Adjustments) {
	o := k.judge(self, peer, f)
	if !o.blocked {
		return
	}
	if adj.Excludes(f.Peer) {
		k.excluded = append(k.excluded, hit{f: f, o: o})
	} else {
		k.hits = append(k.hits, hit{f: f, o: o})
	}
}

// judgeService judges a flow to a Service without endpoints at each target
// port its backends would listen on; when a named target port resolves to
// none, it says the flow cannot be checked rather than judging the Service
// port, which no policy sees after DNAT.
func (k *checker) judgeService(self, peer *ends, f flow.Flow, name string, adj Adjustments) {
	ports, err := k.cluster.servicePorts(&f)
	if err != nil {
		msg := fmt.Sprintf("%s %s %s %d cannot be checked", verbOf(f.Direction), peerName(ClassPeer, f), protocolOf(f.Protocol), f.Port)
		k.hits = append(k.hits, hit{fd: &Finding{Class: ClassPeer, Flow: f, Policy: name, Message: msg, Fix: err.Error()}})
		return
	}
	for _, port := range ports {
		g := f // a copy per port: the hit keeps it
		g.Port = port
		k.judgeInto(self, peer, &g, adj)
	}
}

// alsoIsolates lists the workloads a managed policy selects besides the one
// it is named after.
func alsoIsolates(c *Cluster, np *networkingv1.NetworkPolicy) []flow.WorkloadRef {
	if np == nil || np.Labels[ManagedByLabel] != ManagedByValue {
		return nil
	}
	var out []flow.WorkloadRef
	for _, ref := range touched(c, Change{Operation: Create, New: np}) {
		if ref.Namespace != np.Namespace || ref.Name != np.Name {
			out = append(out, ref)
		}
	}
	return out
}

// mayChange is the cheap filter: the change can only alter a flow whose
// own end, or whose peer's, it concerns in that end's direction.
func (k *checker) mayChange(self *ends, f *flow.Flow) bool {
	selfDir, _ := sides(f.Direction)
	return self.concerns(selfDir, f) || k.changedPeer(f) != nil
}

// changedPeer returns the flow's peer's ends when the change concerns the
// peer in the direction of its end, else nil: one lookup serves both the
// filter and the judgement.
func (k *checker) changedPeer(f *flow.Flow) *ends {
	if f.Peer.Kind != flow.PeerWorkload || !k.inChangedNamespace(f.Peer.Workload.Namespace) {
		return nil
	}
	_, peerDir := sides(f.Direction)
	if peer := k.workload(f.Peer.Workload); peer != nil && peer.concerns(peerDir, f) {
		return peer
	}
	return nil
}

func changedPolicies(ch Change) []*compiled {
	var out []*compiled
	for _, np := range []*networkingv1.NetworkPolicy{ch.Old, ch.New} {
		if np != nil {
			out = append(out, compile(np, len(out)))
		}
	}
	return out
}

// changedNamespace is the namespace of the changed policy.
func changedNamespace(ch Change) string {
	for _, np := range []*networkingv1.NetworkPolicy{ch.New, ch.Old} {
		if np != nil {
			return np.Namespace
		}
	}
	return ""
}

func changedName(ch Change) string {
	for _, np := range []*networkingv1.NetworkPolicy{ch.New, ch.Old} {
		if np != nil {
			return np.Namespace + "/" + np.Name
		}
	}
	return ""
}

// affects says in which directions the changed policies select some pod
// of w.
func affects(changed []*compiled, w Workload) (ingress, egress bool) {
	if w.HostNetwork {
		return false, false
	}
	for _, l := range podLabels(w) {
		for _, p := range changed {
			if p.namespace == w.Ref.Namespace && p.selector.matches(labels.Set(l)) {
				ingress = ingress || p.ingress
				egress = egress || p.egress
			}
		}
	}
	return ingress, egress
}

func touched(c *Cluster, ch Change) []flow.WorkloadRef {
	if c == nil {
		return nil
	}
	changed := changedPolicies(ch)
	var out []flow.WorkloadRef
	consider := func(ref flow.WorkloadRef, w Workload) {
		if in, eg := affects(changed, w); in || eg {
			out = append(out, ref)
		}
	}
	if c.ByNamespace == nil {
		for ref, w := range c.Workloads {
			consider(ref, w)
		}
		sortRefs(out)
		return out
	}
	var namespaces []string // a policy selects pods of its own namespace only
	for _, p := range changed {
		if !slices.Contains(namespaces, p.namespace) {
			namespaces = append(namespaces, p.namespace)
		}
	}
	for _, ns := range namespaces {
		for _, ref := range c.ByNamespace[ns] {
			consider(ref, c.Workloads[ref])
		}
	}
	sortRefs(out)
	return out
}

// sortRefs sorts workloads by their String form, rendered once each.
func sortRefs(refs []flow.WorkloadRef) {
	type keyed struct {
		s   string
		ref flow.WorkloadRef
	}
	ks := make([]keyed, len(refs))
	for i, r := range refs {
		ks[i] = keyed{r.Namespace + "/" + string(r.Kind) + "/" + r.Name, r}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.s, b.s) })
	for i := range ks {
		refs[i] = ks[i].ref
	}
}
