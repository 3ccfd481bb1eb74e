package policy

import (
	networkingv1 "k8s.io/api/networking/v1"
)

// policySet groups policies by namespace and compiles a namespace's
// policies only when a connection needs them: Check touches few namespaces
// of a large cluster. It is not safe for concurrent use.
type policySet struct {
	raw      map[string][]*networkingv1.NetworkPolicy
	compiled map[string][]*compiled
	// base, when set, answers for every namespace but override.
	base     *policySet
	override string
}

func newPolicySet(policies []networkingv1.NetworkPolicy) *policySet {
	s := &policySet{raw: make(map[string][]*networkingv1.NetworkPolicy), compiled: make(map[string][]*compiled)}
	for i := range policies {
		np := &policies[i]
		s.raw[np.Namespace] = append(s.raw[np.Namespace], np)
	}
	return s
}

// in returns the compiled policies of namespace ns.
func (s *policySet) in(ns string) []*compiled {
	if s.base != nil && ns != s.override {
		return s.base.in(ns)
	}
	if c, ok := s.compiled[ns]; ok {
		return c
	}
	raw := s.raw[ns]
	c := make([]*compiled, 0, len(raw))
	for _, np := range raw {
		c = append(c, compile(np))
	}
	s.compiled[ns] = c
	return c
}

// apply returns the set after the change: only the changed policy's
// namespace differs, the others are shared with s.
func (s *policySet) apply(ch Change) *policySet {
	ref := ch.New
	if ref == nil {
		ref = ch.Old
	}
	if ref == nil {
		return s
	}
	after := &policySet{
		raw:      map[string][]*networkingv1.NetworkPolicy{},
		compiled: map[string][]*compiled{},
		base:     s,
		override: ref.Namespace,
	}
	var kept []*networkingv1.NetworkPolicy
	for _, np := range s.raw[ref.Namespace] {
		if !sameName(np, ch.Old) && !sameName(np, ch.New) {
			kept = append(kept, np)
		}
	}
	if ch.Operation != Delete && ch.New != nil {
		kept = append(kept, ch.New)
	}
	after.raw[ref.Namespace] = kept
	return after
}

func sameName(a, b *networkingv1.NetworkPolicy) bool {
	return b != nil && a.Namespace == b.Namespace && a.Name == b.Name
}
