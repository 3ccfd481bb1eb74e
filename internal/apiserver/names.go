package apiserver

import (
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// objectNames gives each workload of a namespace its object name: the
// workload's name, or kind.name (statefulset.db) where two workloads of
// different kinds share a name.
func objectNames(refs []flow.WorkloadRef) map[flow.WorkloadRef]string {
	count := map[string]int{}
	for _, r := range refs {
		count[r.Name]++
	}
	out := make(map[flow.WorkloadRef]string, len(refs))
	for _, r := range refs {
		out[r] = r.Name
		if count[r.Name] > 1 {
			out[r] = qualified(r)
		}
	}
	return out
}

func qualified(r flow.WorkloadRef) string {
	return strings.ToLower(string(r.Kind)) + "." + r.Name
}

// matchName finds the workload an object name means among refs: a
// workload's own name first (names may contain dots), then kind.name. More
// than one match is ambiguous.
func matchName(refs []flow.WorkloadRef, name string) (match []flow.WorkloadRef) {
	for _, r := range refs {
		if r.Name == name {
			match = append(match, r)
		}
	}
	if len(match) > 0 {
		return match
	}
	kind, rest, ok := strings.Cut(name, ".")
	for _, r := range refs {
		if ok && strings.EqualFold(string(r.Kind), kind) && r.Name == rest {
			match = append(match, r)
		}
	}
	return match
}
