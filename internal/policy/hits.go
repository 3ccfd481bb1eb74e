package policy

import (
	"slices"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// hit is a flow the change blocks, before its finding is written. Check
// collects hits and writes each edge's finding once, after merging the
// edge's processes, into one array of the final size: building a finding
// (some 350 bytes, its message and fix) per flow and copying it again to
// merge made most of a first default deny's garbage (issue 17).
type hit struct {
	f *flow.Flow // the baseline's flow, or a copy judged at another port
	// fd is a finding written already (a flow that cannot be checked).
	fd *Finding
	o  outcome
}

// flow is the hit's flow as its finding carries it: the connects that
// succeeded only, for a finding written from the hit.
func (h *hit) flow() flow.Flow {
	if h.fd != nil {
		return h.fd.Flow
	}
	g := *h.f
	g.Failed = 0
	return g
}

func (h *hit) key() *flow.Key {
	if h.fd != nil {
		return &h.fd.Flow.Key
	}
	return &h.f.Key
}

// mergeHits sorts hits by flow key and returns one finding per edge (the
// flows of one edge seen from several processes merged: counts added,
// processes named once, sorted), written by write from the edge's first
// hit. CompareKeys compares the process last, so an edge's hits end up
// side by side, their processes in order. hits is reordered.
func mergeHits(hits []hit, write func(*hit) Finding) []Finding {
	if len(hits) == 0 {
		return nil
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return flow.CompareKeys(*a.key(), *b.key()) })
	edges := 1
	for i := 1; i < len(hits); i++ {
		if !sameEdge(*hits[i-1].key(), *hits[i].key()) {
			edges++
		}
	}
	out := make([]Finding, 0, edges)
	var procs []string
	for i := range hits {
		h := &hits[i]
		if n := len(out); n > 0 && sameEdge(out[n-1].Flow.Key, *h.key()) {
			out[n-1].Flow.Merge(h.flow())
			procs = append(procs, h.key().Process)
			continue
		}
		if len(out) > 0 {
			setProcesses(&out[len(out)-1], procs)
		}
		out = append(out, write(h))
		procs = append(procs[:0], h.key().Process)
	}
	setProcesses(&out[len(out)-1], procs)
	return out
}
