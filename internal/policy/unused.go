package policy

import (
	"fmt"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
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
	ev := NewEvaluator([]networkingv1.NetworkPolicy{*np}, in.Cluster.Namespaces)
	used := map[RuleRef]map[networkingv1.PolicyType]bool{}
	rules, marked := len(np.Spec.Ingress)+len(np.Spec.Egress), 0
	mark := func(dir networkingv1.PolicyType, refs []RuleRef) {
		for _, r := range refs {
			if used[r] == nil {
				used[r] = map[networkingv1.PolicyType]bool{}
			}
			if !used[r][dir] {
				used[r][dir], marked = true, marked+1
			}
		}
	}
	for _, b := range in.Baselines {
		self := k.workload(b.Workload)
		if self == nil {
			continue
		}
		for i := 0; i < len(b.Flows) && marked < rules; i++ { // past that, every rule is used
			f := &b.Flows[i]
			peer := k.peer(f)
			if f.Count == 0 || peer == nil {
				continue
			}
			if selfDir, peerDir := sides(f.Direction); !self.selected(selfDir) && !peer.selected(peerDir) {
				continue // the new policy governs neither end in the flow's direction
			}
			for _, s := range self.eps {
				for _, p := range peer.eps {
					v := ev.Evaluate(connectionOf(s, p, f))
					mark(networkingv1.PolicyTypeEgress, v.Egress.AllowedBy)
					mark(networkingv1.PolicyTypeIngress, v.Ingress.AllowedBy)
				}
			}
		}
	}
	name := np.Namespace + "/" + np.Name
	var out []UnusedRule
	add := func(dir networkingv1.PolicyType, n int) {
		for i := range n {
			if !used[RuleRef{Policy: name, Rule: i}][dir] {
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
