package policy

import (
	"sync/atomic"

	networkingv1 "k8s.io/api/networking/v1"
)

// compiled is a NetworkPolicy prepared for matching: its podSelector and
// defaulted policyTypes. Rules are matched on the API types directly (see
// match.go): compiling them cost more than matching them in Check, where
// most policies of a namespace are looked at once or never.
type compiled struct {
	np        *networkingv1.NetworkPolicy
	order     int // position in the input, for deterministic explanations
	namespace string
	selector  selector
	// keyOnly: the podSelector is one matchLabels pair, its index key, so
	// a pod found under that key is selected without matching again.
	keyOnly bool
	ingress bool
	egress  bool
	// prepared are the rules as rulesOf prepares them, once one is
	// matched: most policies of a namespace are never matched in a Check,
	// and cached ones are shared by concurrent Checks.
	prepared atomic.Pointer[preparedRules]
}

func compile(np *networkingv1.NetworkPolicy, order int) *compiled {
	c := &compiled{np: np, order: order}
	c.prepare()
	return c
}

// prepare fills what compile derives from c.np.
func (c *compiled) prepare() {
	c.namespace, c.selector = c.np.Namespace, newSelector(&c.np.Spec.PodSelector)
	ls := &c.np.Spec.PodSelector
	c.keyOnly = !c.selector.invalid && len(ls.MatchLabels) == 1 && len(ls.MatchExpressions) == 0
	c.ingress, c.egress = policyTypes(c.np)
}

// name is namespace/name, for explanations.
func (c *compiled) name() string { return c.np.Namespace + "/" + c.np.Name }

// applies reports whether the policy isolates its pods in direction dir.
func (c *compiled) applies(dir networkingv1.PolicyType) bool {
	if dir == networkingv1.PolicyTypeIngress {
		return c.ingress
	}
	return c.egress
}

// rules returns the number of rules of a direction.
func (c *compiled) rules(dir networkingv1.PolicyType) int {
	if dir == networkingv1.PolicyTypeIngress {
		return len(c.np.Spec.Ingress)
	}
	return len(c.np.Spec.Egress)
}

// ruleMatches reports whether rule i of direction dir allows conn: the peer
// is the source for ingress, the destination for egress; ports always
// resolve on the destination.
func (c *compiled) ruleMatches(dir networkingv1.PolicyType, i int, conn Connection, namespaces map[string]map[string]string) bool {
	if dir == networkingv1.PolicyTypeIngress {
		return c.rulesOf(dir)[i].matches(c.namespace, conn, conn.Source, namespaces)
	}
	return c.rulesOf(dir)[i].matches(c.namespace, conn, conn.Destination, namespaces)
}

// rulesOf returns the prepared rules of a direction.
func (c *compiled) rulesOf(dir networkingv1.PolicyType) []rule {
	r := c.prepared.Load()
	if r == nil {
		r = rulesOf(c.np) // two Checks may both prepare them: the same rules
		c.prepared.Store(r)
	}
	if dir == networkingv1.PolicyTypeIngress {
		return r.ingress
	}
	return r.egress
}

// policyTypes applies the API's defaulting: Ingress always, Egress when the
// policy has egress rules, unless policyTypes says otherwise.
func policyTypes(np *networkingv1.NetworkPolicy) (ingress, egress bool) {
	if len(np.Spec.PolicyTypes) == 0 {
		return true, len(np.Spec.Egress) > 0
	}
	for _, t := range np.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			ingress = true
		case networkingv1.PolicyTypeEgress:
			egress = true
		}
	}
	return ingress, egress
}
