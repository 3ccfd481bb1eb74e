package flow

import (
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
	return aggregate(flows)
}

// SortFlows orders flows deterministically by key.
func SortFlows(flows []Flow) {
	sortFlows(flows)
}

// CompareKeys orders keys by workload, direction, peer, protocol, port and
// process.
func CompareKeys(a, b Key) int {
	if c := compareWorkloads(a.Workload, b.Workload); c != 0 {
		return c
	}
	if c := compareHead(&a, &b); c != 0 {
		return c
	}
	if c := comparePeers(a.Peer, b.Peer); c != 0 {
		return c
	}
	return compareTail(&a, &b)
}
