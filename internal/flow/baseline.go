package flow

import (
	"cmp"
	"slices"
	"time"
)

// Window is a half-open time range [From, To). A zero From means "since the
// beginning of retention"; a zero To means "until now".
type Window struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Contains reports whether t falls in the window.
func (w Window) Contains(t time.Time) bool {
	return (w.From.IsZero() || !t.Before(w.From)) && (w.To.IsZero() || t.Before(w.To))
}

// Baseline is what one workload was seen doing over a window: its merged
// flows, sorted by key.
type Baseline struct {
	Workload WorkloadRef `json:"workload"`
	Window   Window      `json:"window"`
	Flows    []Flow      `json:"flows"`
}

// Aggregate merges flows with equal keys and returns them sorted, so that
// equal inputs always give equal baselines.
func Aggregate(flows []Flow) []Flow {
	out := make([]Flow, 0, len(flows))
	idx := make(map[Key]int, len(flows))
	for _, f := range flows {
		if i, ok := idx[f.Key]; ok {
			out[i].Merge(f)
			continue
		}
		idx[f.Key] = len(out)
		out = append(out, f)
	}
	SortFlows(out)
	return out
}

// SortFlows orders flows deterministically by key.
func SortFlows(flows []Flow) {
	slices.SortFunc(flows, func(a, b Flow) int { return CompareKeys(a.Key, b.Key) })
}

// CompareKeys orders keys by workload, direction, peer, protocol, port and
// process.
func CompareKeys(a, b Key) int {
	return cmp.Or(
		compareWorkloads(a.Workload, b.Workload),
		cmp.Compare(a.Direction, b.Direction),
		cmp.Compare(a.Peer.Kind, b.Peer.Kind),
		comparePeers(a.Peer, b.Peer),
		cmp.Compare(a.Protocol, b.Protocol),
		cmp.Compare(a.Port, b.Port),
		cmp.Compare(a.Process, b.Process),
	)
}
