package policy

import (
	"maps"
	"slices"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// podLevelLabels are put on pods by their controllers, not by the
// template: a selector cannot count on a workload's pods lacking them
// unless the snapshot lists the pods.
var podLevelLabels = []string{"job-name", "batch.kubernetes.io/job-name", "controller-uid", "batch.kubernetes.io/controller-uid",
	"pod-template-generation", "batch.kubernetes.io/job-completion-index"}

// podSelection is how a recommendation selects a workload's pods:
// matchLabels, label keys that must be absent, and the other workloads
// whose pods it still selects because nothing tells them apart.
type podSelection struct {
	labels map[string]string
	absent []string
	others []flow.WorkloadRef
	// canon is selectionCanonical of the selection, once of made it.
	canon string
}

// matches reports whether a pod with labels l is selected.
func (s podSelection) matches(l map[string]string) bool {
	for _, k := range s.absent {
		if _, ok := l[k]; ok {
			return false
		}
	}
	return containsLabels(l, s.labels)
}

// selections computes podSelections over one cluster snapshot. The other
// workloads a selection may pick are found either for a few workloads at
// once in one pass over the snapshot (prepare, for Recommend: one workload
// and its peers) or, for any workload, with the workloads grouped by
// namespace once (for Check, whose fixes may name many).
type selections struct {
	c          *Cluster
	byNS       map[string][]flow.WorkloadRef
	byMembers  map[string][]member // see members
	slab       []member            // where members live
	candidates map[flow.WorkloadRef][]flow.WorkloadRef
	memo       map[flow.WorkloadRef]podSelection
}

func newSelections(c *Cluster) *selections {
	return &selections{c: c, memo: map[flow.WorkloadRef]podSelection{}, candidates: map[flow.WorkloadRef][]flow.WorkloadRef{}}
}

// prepare finds, in one pass over the snapshot, the other workloads the
// unnarrowed selections of ws pick.
func (s *selections) prepare(ws []Workload) {
	pending := map[string][]int{}
	bases := make([][]labelPair, len(ws))
	for i, w := range ws {
		if _, done := s.candidates[w.Ref]; !done {
			bases[i] = sortedPairs(w.SelectorLabels())
			pending[w.Ref.Namespace] = append(pending[w.Ref.Namespace], i)
			s.candidates[w.Ref] = nil
		}
	}
	if len(pending) == 0 {
		return
	}
	if s.c.ByNamespace != nil {
		for ns, idx := range pending {
			for _, ref := range s.c.ByNamespace[ns] {
				s.candidate(ws, idx, bases, ref)
			}
		}
		return
	}
	for ref := range s.c.Workloads { // keys only: most workloads are in other namespaces
		if idx, ok := pending[ref.Namespace]; ok {
			s.candidate(ws, idx, bases, ref)
		}
	}
}

// candidate adds ref to the candidates of the workloads ws[idx] (of ref's
// namespace) whose unnarrowed selections, bases, pick a pod of it.
func (s *selections) candidate(ws []Workload, idx []int, bases [][]labelPair, ref flow.WorkloadRef) {
	o := s.c.Workloads[ref]
	if o.HostNetwork {
		return
	}
	for _, i := range idx {
		if ref != ws[i].Ref && anyPodHas(o, bases[i]) {
			s.candidates[ws[i].Ref] = append(s.candidates[ws[i].Ref], ref)
		}
	}
}

// sortedPairs are the labels as pairs sorted by key: matching a slice
// is cheaper than iterating a map, and prepare matches many workloads.
func sortedPairs(l map[string]string) []labelPair {
	out := make([]labelPair, 0, len(l))
	for k, v := range l {
		out = append(out, labelPair{k, v})
	}
	slices.SortFunc(out, func(a, b labelPair) int { return strings.Compare(a.key, b.key) })
	return out
}

// anyPodHas reports whether a pod of w carries every pair.
func anyPodHas(w Workload, pairs []labelPair) bool {
	m := member{labels: w.Labels, pods: w.Pods}
	return m.has(pairs)
}

// of returns the selection of w: its controller's selector (or stable
// labels), narrowed when it would also pick another workload's pods: first
// by requiring a key those pods carry to be absent (nothing of w's needs
// to stay as it is), then by more of w's own stable labels.
func (s *selections) of(w Workload) podSelection {
	if sel, ok := s.memo[w.Ref]; ok {
		return sel
	}
	sel := podSelection{labels: w.SelectorLabels()}
	others := s.overlapping(w, sel.labels)
	if len(others) == 0 {
		sel.canon = selectionCanonical(sel)
		s.memo[w.Ref] = sel
		return sel
	}
	ours := podLabels(w)
	for len(others) > 0 {
		k, ok := s.bestAbsent(ours, others)
		if !ok {
			break
		}
		sel.absent = append(sel.absent, k)
		others = s.stillSelected(others, sel)
	}
	for len(others) > 0 {
		k, ok := s.bestLabel(w, ours, sel, others)
		if !ok {
			break
		}
		sel.labels[k] = w.Labels[k]
		others = s.stillSelected(others, sel)
	}
	slices.Sort(sel.absent)
	sel.others = others
	sel.canon = selectionCanonical(sel)
	s.memo[w.Ref] = sel
	return sel
}

// overlapping lists the other workloads of w's namespace with a pod the
// matchLabels select, sorted. Host-network pods are never selected.
func (s *selections) overlapping(w Workload, labels map[string]string) []flow.WorkloadRef {
	if cands, ok := s.candidates[w.Ref]; ok {
		out := slices.Clone(cands)
		sortRefs(out)
		return out
	}
	var out []flow.WorkloadRef
	pairs := sortedPairs(labels)
	ms := s.members(w.Ref.Namespace)
	for i := range ms {
		if m := &ms[i]; !m.host && m.ref != w.Ref && m.has(pairs) {
			out = append(out, m.ref)
		}
	}
	sortRefs(out)
	return out
}

// workloadsByNamespace is ByNamespace, or the workloads grouped now.
func (c *Cluster) workloadsByNamespace() map[string][]flow.WorkloadRef {
	if c.ByNamespace != nil {
		return c.ByNamespace
	}
	return byNamespace(c.Workloads)
}

// GroupWorkloads sets ByNamespace from Workloads.
func (c *Cluster) GroupWorkloads() { c.ByNamespace = byNamespace(c.Workloads) }

// byNamespace groups the workloads' refs by namespace, all in one array:
// Check's fixes name peers in most namespaces of the snapshot.
func byNamespace(ws map[flow.WorkloadRef]Workload) map[string][]flow.WorkloadRef {
	counts := map[string]int{}
	for ref := range ws {
		counts[ref.Namespace]++
	}
	all, out := make([]flow.WorkloadRef, len(ws)), make(map[string][]flow.WorkloadRef, len(counts))
	off := 0
	for ns, n := range counts {
		out[ns], off = all[off:off:off+n], off+n // appends fill all in place
	}
	for ref := range ws {
		out[ref.Namespace] = append(out[ref.Namespace], ref)
	}
	return out
}

// anyPodMatches reports whether sel selects a pod of w.
func anyPodMatches(w Workload, sel podSelection) bool {
	if len(w.Pods) == 0 {
		return sel.matches(w.Labels)
	}
	for _, p := range w.Pods {
		l := p.Labels
		if l == nil {
			l = w.Labels
		}
		if sel.matches(l) {
			return true
		}
	}
	return false
}

func (s *selections) stillSelected(refs []flow.WorkloadRef, sel podSelection) []flow.WorkloadRef {
	var out []flow.WorkloadRef
	for _, ref := range refs {
		if anyPodMatches(s.c.Workloads[ref], sel) {
			out = append(out, ref)
		}
	}
	return out
}

// bestAbsent is the label key, carried by every pod of the most others and
// by no pod of ours, whose absence excludes them; ties by key.
func (s *selections) bestAbsent(ours []map[string]string, others []flow.WorkloadRef) (string, bool) {
	counts := map[string]int{}
	for _, ref := range others {
		o := s.c.Workloads[ref]
		for k := range o.StableLabels() {
			if allHave(podLabels(o), k) && !anyHas(ours, k) && !slices.Contains(podLevelLabels, k) {
				counts[k]++
			}
		}
	}
	return best(counts)
}

// bestLabel is the stable label of w, on all its pods and not yet in sel,
// that the pods of the most others lack or carry with another value.
func (s *selections) bestLabel(w Workload, ours []map[string]string, sel podSelection, others []flow.WorkloadRef) (string, bool) {
	counts := map[string]int{}
	for k, v := range w.StableLabels() {
		if _, in := sel.labels[k]; in || !allHaveValue(ours, k, v) {
			continue
		}
		narrower := podSelection{labels: maps.Clone(sel.labels), absent: sel.absent}
		narrower.labels[k] = v
		if n := len(others) - len(s.stillSelected(others, narrower)); n > 0 {
			counts[k] = n
		}
	}
	return best(counts)
}

func best(counts map[string]int) (string, bool) {
	bestKey, bestN := "", 0
	for k, n := range counts {
		if n > bestN || n == bestN && k < bestKey {
			bestKey, bestN = k, n
		}
	}
	return bestKey, bestN > 0
}

func allHave(ls []map[string]string, k string) bool {
	for _, l := range ls {
		if _, ok := l[k]; !ok {
			return false
		}
	}
	return len(ls) > 0
}

func anyHas(ls []map[string]string, k string) bool {
	for _, l := range ls {
		if _, ok := l[k]; ok {
			return true
		}
	}
	return false
}

func allHaveValue(ls []map[string]string, k, v string) bool {
	for _, l := range ls {
		if got, ok := l[k]; !ok || got != v {
			return false
		}
	}
	return true
}
