package policy

import (
	networkingv1 "k8s.io/api/networking/v1"
)

// policySet groups policies by namespace and indexes a namespace only when
// a connection needs it: Check touches few namespaces of a large cluster.
// It is not safe for concurrent use.
type policySet struct {
	raw     map[string][]*networkingv1.NetworkPolicy
	indexed map[string]*nsIndex
	// memo keeps the selecting policies of each pod asked about.
	memo map[*Pod][]*compiled
	// base, when set, answers for every namespace but override.
	base     *policySet
	override string
	// cache, when set, keeps the indexes of every namespace but uncached
	// (the changed policy's: see indexCache) across calls.
	cache    *indexCache
	uncached string
}

func newPolicySet(policies []networkingv1.NetworkPolicy) *policySet {
	s := &policySet{raw: make(map[string][]*networkingv1.NetworkPolicy), indexed: make(map[string]*nsIndex), memo: map[*Pod][]*compiled{}}
	groupByNamespace(s.raw, policies)
	return s
}

// groupByNamespace adds policies to byNS in input order. Lists are usually sorted
// by namespace, so each run of one namespace becomes a slice of one shared
// array with one map write; a namespace seen again later is appended to a
// copy.
func groupByNamespace(byNS map[string][]*networkingv1.NetworkPolicy, policies []networkingv1.NetworkPolicy) {
	ptrs := make([]*networkingv1.NetworkPolicy, len(policies))
	for i := range policies {
		ptrs[i] = &policies[i]
	}
	for lo := 0; lo < len(ptrs); {
		ns, hi := ptrs[lo].Namespace, lo+1
		for hi < len(ptrs) && ptrs[hi].Namespace == ns {
			hi++
		}
		run := ptrs[lo:hi:hi] // full slice: an append never writes into the next run
		if prev, ok := byNS[ns]; ok {
			run = append(prev, run...)
		}
		byNS[ns] = run
		lo = hi
	}
}

// selecting returns the policies that select the pod, remembered by the
// pod's address: callers reuse one Pod per workload.
func (s *policySet) selecting(p *Pod) []*compiled {
	if s.base != nil && p.Namespace != s.override {
		return s.base.selecting(p)
	}
	if cs, ok := s.memo[p]; ok {
		return cs
	}
	cs := s.index(p.Namespace).selecting(p.Labels)
	s.memo[p] = cs
	return cs
}

func (s *policySet) index(ns string) *nsIndex {
	if s.base != nil && ns != s.override {
		return s.base.index(ns)
	}
	if x, ok := s.indexed[ns]; ok {
		return x
	}
	var x *nsIndex // nil for a namespace without policies
	switch raw := s.raw[ns]; {
	case len(raw) == 0:
	case s.cache != nil && ns != s.uncached:
		x = s.cache.index(ns, raw)
	default:
		x = newNSIndex(compileAll(raw))
	}
	s.indexed[ns] = x
	return x
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
		indexed:  map[string]*nsIndex{},
		memo:     map[*Pod][]*compiled{}, // small until a caller gives it more
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
