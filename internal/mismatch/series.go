package mismatch

import (
	"slices"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// classLabels are the class label's values.
var classLabels = map[policy.Class]string{
	policy.ClassDNS:       "dns",
	policy.ClassExternal:  "external",
	policy.ClassPeer:      "peer",
	policy.ClassAPIServer: "api-server",
	policy.ClassNode:      "node",
}

func classLabel(c policy.Class) string {
	if l, ok := classLabels[c]; ok {
		return l
	}
	return strings.ToLower(string(c))
}

// seriesKey is one blocked-flows series of a workload.
type seriesKey struct {
	class  policy.Class
	policy string
}

// count counts the distinct edges (keys without the process) of blocked
// per class and blocking policy. Baselines are sorted by key with the
// process last, so the flows of one edge are adjacent.
func count(blocked []policy.Blocked) map[seriesKey]int {
	out := map[seriesKey]int{}
	for i := range blocked {
		b := &blocked[i]
		if i > 0 && sameEdge(&blocked[i-1].Flow.Key, &b.Flow.Key) {
			continue
		}
		for _, p := range b.Policies {
			out[seriesKey{b.Class, p}]++
		}
	}
	return out
}

func sameEdge(a, b *flow.Key) bool {
	return a.Workload == b.Workload && a.Direction == b.Direction && a.Peer == b.Peer && a.Port == b.Port && a.Protocol == b.Protocol
}

// export sets ref's series to now: a series that was there and is no
// longer blocked falls to 0 while its workload and policy exist, else it is
// deleted. It returns the series kept.
func (e *Evaluator) export(ref flow.WorkloadRef, was, now map[seriesKey]int, exists func(flow.WorkloadRef, string) bool) map[seriesKey]int {
	kept := make(map[seriesKey]int, len(now))
	for k, n := range now {
		if old, ok := was[k]; !ok || old != n {
			e.m.blocked.WithLabelValues(ref.Namespace, string(ref.Kind), ref.Name, classLabel(k.class), k.policy).Set(float64(n))
		}
		kept[k] = n
	}
	for k := range was {
		if _, ok := now[k]; ok {
			continue
		}
		if exists(ref, k.policy) {
			if was[k] == 0 {
				kept[k] = 0
				continue
			}
			e.m.blocked.WithLabelValues(ref.Namespace, string(ref.Kind), ref.Name, classLabel(k.class), k.policy).Set(0)
			kept[k] = 0
			continue
		}
		e.m.blocked.DeleteLabelValues(ref.Namespace, string(ref.Kind), ref.Name, classLabel(k.class), k.policy)
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

func sortedRefs[V any](m map[flow.WorkloadRef]V) []flow.WorkloadRef {
	out := make([]flow.WorkloadRef, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b flow.WorkloadRef) int {
		return strings.Compare(a.String(), b.String())
	})
	return out
}
