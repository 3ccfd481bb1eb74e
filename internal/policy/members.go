package policy

import (
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// member is a workload of a namespace as overlapping matches it: its labels
// and pods, read from the snapshot once per call and namespace. A
// namespace-wide default deny writes fixes naming a few hundred peers, a
// handful in each namespace, and looking every sibling up in Workloads for
// each of them was most of the fixes' cost (issue 17).
type member struct {
	ref    flow.WorkloadRef
	labels map[string]string
	pods   []PodInfo
	host   bool
}

// has reports whether a pod of m carries every pair (see anyPodHas).
func (m *member) has(pairs []labelPair) bool {
	if len(m.pods) == 0 {
		return hasPairs(m.labels, pairs)
	}
	for _, p := range m.pods {
		l := p.Labels
		if l == nil {
			l = m.labels
		}
		if hasPairs(l, pairs) {
			return true
		}
	}
	return false
}

func hasPairs(l map[string]string, pairs []labelPair) bool {
	for _, p := range pairs {
		if v, ok := l[p.key]; !ok || v != p.value {
			return false
		}
	}
	return true
}

// members returns the workloads of ns, read once per selections.
func (s *selections) members(ns string) []member {
	if ms, ok := s.byMembers[ns]; ok {
		return ms
	}
	if s.byNS == nil {
		s.byNS = s.c.workloadsByNamespace()
	}
	if s.byMembers == nil {
		s.byMembers = map[string][]member{}
	}
	lo := len(s.slab)
	for _, ref := range s.byNS[ns] {
		w := s.c.Workloads[ref]
		s.slab = append(s.slab, member{ref: ref, labels: w.Labels, pods: w.Pods, host: w.HostNetwork})
	}
	ms := s.slab[lo:len(s.slab):len(s.slab)] // a later append moves the slab, never writes here
	s.byMembers[ns] = ms
	return ms
}

// release hands the members' memory back for the next call's selections,
// dropping what it refers to.
func (s *selections) release() (slab []member, byMembers map[string][]member) {
	clear(s.slab)
	clear(s.byMembers)
	return s.slab[:0], s.byMembers
}
