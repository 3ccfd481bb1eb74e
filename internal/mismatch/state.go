package mismatch

import (
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
)

// state is what the last round left: the inputs it judged and the series
// it exported.
type state struct {
	valid     bool
	snap      *inventory.Snapshot
	policies  map[string]struct{} // namespace/name of the policies in force
	baselines map[flow.WorkloadRef]flow.Baseline
	// observers maps a workload to the workloads whose baselines have it
	// as a peer: their verdicts depend on its labels and policies.
	observers map[flow.WorkloadRef]refSet
	series    map[flow.WorkloadRef]map[seriesKey]int
	failing   map[failKey]struct{}
}

func newState() state {
	return state{policies: map[string]struct{}{}, baselines: map[flow.WorkloadRef]flow.Baseline{},
		observers: map[flow.WorkloadRef]refSet{}, series: map[flow.WorkloadRef]map[seriesKey]int{}, failing: map[failKey]struct{}{}}
}

func (s *state) observersOf(w flow.WorkloadRef) []flow.WorkloadRef {
	out := make([]flow.WorkloadRef, 0, len(s.observers[w]))
	for o := range s.observers[w] {
		out = append(out, o)
	}
	return out
}

// setBaseline replaces w's baseline (absent when found is false) and its
// entries in the peer index.
func (s *state) setBaseline(w flow.WorkloadRef, b flow.Baseline, found bool) {
	for _, p := range peersOf(s.baselines[w]) {
		if set := s.observers[p]; set != nil {
			delete(set, w)
			if len(set) == 0 {
				delete(s.observers, p)
			}
		}
	}
	if !found {
		delete(s.baselines, w)
		return
	}
	s.baselines[w] = b
	for _, p := range peersOf(b) {
		set := s.observers[p]
		if set == nil {
			set = refSet{}
			s.observers[p] = set
		}
		set[w] = struct{}{}
	}
}

func peersOf(b flow.Baseline) []flow.WorkloadRef {
	var out []flow.WorkloadRef
	var last flow.WorkloadRef
	for i := range b.Flows {
		p := &b.Flows[i].Peer
		if p.Kind == flow.PeerWorkload && p.Workload != last {
			out = append(out, p.Workload)
			last = p.Workload
		}
	}
	return out
}

// policyNames is the set of namespace/name of snap's policies.
func policyNames(snap *inventory.Snapshot) map[string]struct{} {
	out := make(map[string]struct{}, len(snap.Policies))
	for i := range snap.Policies {
		out[snap.Policies[i].Namespace+"/"+snap.Policies[i].Name] = struct{}{}
	}
	return out
}
