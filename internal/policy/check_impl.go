package policy

import (
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func check(in CheckInput) Report {
	k := newChecker(in)
	name := changedName(in.Change)
	seen := observedEdges(in.Baselines)
	var r Report
	for _, b := range in.Baselines {
		var self *ends // built when a flow needs it: most baselines have none
		inNS := k.inChangedNamespace(b.Workload.Namespace)
		adj := in.Adjustments[b.Workload]
		for i := range b.Flows {
			f := &b.Flows[i] // flows are large: no copy per flow
			if !inNS && !k.peerMayChange(f) {
				continue
			}
			if self == nil {
				if self = k.workload(b.Workload); self == nil {
					break
				}
			}
			if inNS && !k.mayChange(self, f) {
				continue // out of the namespace, peerMayChange said it may
			}
			peer := k.peer(f)
			if peer == nil {
				continue
			}
			if f.Failed > 0 {
				r.Failing = append(r.Failing, k.failed(self, peer, f))
			}
			if f.Count == 0 {
				continue // a failed connect is never traffic to allow
			}
			o := k.judge(self, peer, f)
			if !o.blocked || !o.own && seen[mirrorOf(b.Workload, f)] {
				continue // a copy blocked only at the peer's end is reported from the peer's own baseline
			}
			fd := newFinding(k.selections(), b.Workload, *f, name, o)
			if adj.Excludes(f.Peer) {
				r.Excluded = append(r.Excluded, fd)
			} else {
				r.Findings = append(r.Findings, fd)
			}
		}
	}
	r.Findings, r.Excluded = foldServicePeers(mergeFindings(r.Findings)), foldServicePeers(mergeFindings(r.Excluded))
	sortFailing(r.Failing)
	r.AlsoIsolates = alsoIsolates(k.cluster, in.Change.New)
	return r
}

// edgeKey is one observed connection from one end's point of view.
type edgeKey struct {
	self, peer flow.WorkloadRef
	direction  flow.Direction
	port       int32
	protocol   string
}

// observedEdges are the successful workload-to-workload flows of the
// baselines: one connection seen by both ends' observers is in two
// baselines, once per direction.
func observedEdges(baselines []flow.Baseline) map[edgeKey]bool {
	seen := map[edgeKey]bool{}
	for _, b := range baselines {
		for i := range b.Flows {
			if f := &b.Flows[i]; f.Count > 0 && f.Peer.Kind == flow.PeerWorkload {
				seen[edgeKey{b.Workload, f.Peer.Workload, f.Direction, f.Port, string(f.Protocol)}] = true
			}
		}
	}
	return seen
}

// mirrorOf is the key the same connection has in the peer's baseline.
func mirrorOf(self flow.WorkloadRef, f *flow.Flow) edgeKey {
	d := flow.Ingress
	if f.Direction == flow.Ingress {
		d = flow.Egress
	}
	if f.Peer.Kind != flow.PeerWorkload {
		return edgeKey{}
	}
	return edgeKey{f.Peer.Workload, self, d, f.Port, string(f.Protocol)}
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
// own end, or whose peer's, a changed policy selects in that end's
// direction.
func (k *checker) mayChange(self *ends, f *flow.Flow) bool {
	selfDir, _ := sides(f.Direction)
	return self.any(selfDir) || k.peerMayChange(f)
}

// peerMayChange reports whether a changed policy selects the flow's peer in
// the direction of the peer's end.
func (k *checker) peerMayChange(f *flow.Flow) bool {
	if f.Peer.Kind != flow.PeerWorkload || !k.inChangedNamespace(f.Peer.Workload.Namespace) {
		return false
	}
	_, peerDir := sides(f.Direction)
	peer := k.workload(f.Peer.Workload)
	return peer != nil && peer.any(peerDir)
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
	for ref, w := range c.Workloads {
		if in, eg := affects(changed, w); in || eg {
			out = append(out, ref)
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
