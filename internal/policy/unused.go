package policy

import (
	"fmt"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// UnusedRule is a rule of a policy that none of the observed flows needs:
// it allows traffic that was never seen, so it is wider than the baseline.
type UnusedRule struct {
	Policy string `json:"policy"`
	// Direction is Ingress (spec.ingress) or Egress (spec.egress).
	Direction networkingv1.PolicyType `json:"direction"`
	Rule      int                     `json:"rule"`
	Message   string                  `json:"message"`
}

// Unused lists the rules of the change's new policy that allow none of
// the baselines' observed connections (failed connects are not traffic).
// Each baseline flow is judged under the new policy alone: a rule is used
// when it allows the flow at the end it governs.
func Unused(in CheckInput) []UnusedRule {
	np := in.Change.New
	if np == nil || in.Cluster == nil {
		return nil
	}
	k := newChecker(in)
	defer k.release()
	u := newUsage(np, in.Cluster.Namespaces)
	for _, b := range in.Baselines {
		self := k.workload(b.Workload)
		if self == nil {
			continue
		}
		for i := 0; i < len(b.Flows) && u.marked < u.rules; i++ { // past that, every rule is used
			f := &b.Flows[i]
			peer := k.peer(f)
			if f.Count == 0 || peer == nil {
				continue
			}
			if selfDir, peerDir := sides(f.Direction); !self.selected(selfDir) && !peer.selected(peerDir) {
				continue // the new policy governs neither end in the flow's direction
			}
			u.judge(self, peer, f)
		}
	}
	return u.unused(np)
}

// usage is which rules of one policy allow some observed connection.
type usage struct {
	ev            *Evaluator
	used          map[usedRule]bool
	rules, marked int
	// byAddress: the policy has ipBlock peers, so each address of a pod
	// is judged; without, the ends of one pod's labels judge alike.
	byAddress bool
}

type usedRule struct {
	dir  networkingv1.PolicyType
	rule int
}

func newUsage(np *networkingv1.NetworkPolicy, namespaces map[string]map[string]string) *usage {
	u := &usage{ev: NewEvaluator([]networkingv1.NetworkPolicy{*np}, namespaces), used: map[usedRule]bool{},
		rules: len(np.Spec.Ingress) + len(np.Spec.Egress)}
	for _, r := range np.Spec.Ingress {
		u.byAddress = u.byAddress || slices.ContainsFunc(r.From, hasIPBlock)
	}
	for _, r := range np.Spec.Egress {
		u.byAddress = u.byAddress || slices.ContainsFunc(r.To, hasIPBlock)
	}
	return u
}

func hasIPBlock(p networkingv1.NetworkPolicyPeer) bool { return p.IPBlock != nil }

// judge evaluates f between every pair of ends that can judge apart.
func (u *usage) judge(self, peer *ends, f *flow.Flow) {
	for si, s := range self.eps {
		if u.asBefore(self.eps, si) {
			continue
		}
		for pi, p := range peer.eps {
			if u.asBefore(peer.eps, pi) {
				continue
			}
			v := u.ev.Evaluate(connectionOf(s, p, f))
			u.mark(networkingv1.PolicyTypeEgress, v.Egress.AllowedBy)
			u.mark(networkingv1.PolicyTypeIngress, v.Ingress.AllowedBy)
		}
	}
}

// asBefore reports whether end i judges as the one before it: the same pod
// (ends share a *Pod per label set), and addresses do not matter. Ends of
// one label set mostly follow each other; others are judged again.
func (u *usage) asBefore(eps []Endpoint, i int) bool {
	return !u.byAddress && i > 0 && eps[i].Pod == eps[i-1].Pod
}

func (u *usage) mark(dir networkingv1.PolicyType, refs []RuleRef) {
	for _, r := range refs {
		if k := (usedRule{dir, r.Rule}); !u.used[k] {
			u.used[k], u.marked = true, u.marked+1
		}
	}
}

func (u *usage) unused(np *networkingv1.NetworkPolicy) []UnusedRule {
	name := np.Namespace + "/" + np.Name
	var out []UnusedRule
	add := func(dir networkingv1.PolicyType, n int) {
		for i := range n {
			if !u.used[usedRule{dir, i}] {
				out = append(out, UnusedRule{Policy: name, Direction: dir, Rule: i, Message: fmt.Sprintf(
					"spec.%s[%d] allows traffic no observed flow needs: narrow or drop it", lower(dir), i)})
			}
		}
	}
	add(networkingv1.PolicyTypeIngress, len(np.Spec.Ingress))
	add(networkingv1.PolicyTypeEgress, len(np.Spec.Egress))
	return slices.Clip(out)
}

func lower(dir networkingv1.PolicyType) string {
	if dir == networkingv1.PolicyTypeIngress {
		return "ingress"
	}
	return "egress"
}
