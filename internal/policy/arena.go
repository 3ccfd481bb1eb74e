package policy

import (
	"sync"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// arena is the memory of a checker's ends, reused by the next Check: a
// namespace-wide default deny builds the ends of about a thousand peers,
// and allocating them anew each call made the garbage collector a tenth of
// Check's time and most of its p99 (issue 17).
type arena struct {
	ends map[flow.WorkloadRef]*ends
	// memos are the policy sets' (before and after the change) memory of
	// each pod's selecting policies.
	memos  [2]map[*Pod][]*compiled
	chunks [][]ends
	used   int // chunks handed out since the last reset
	// hits are the arrays of a checker's hits and excluded hits.
	hits [2][]hit
	// members, byMembers: the memory of its selections' members.
	members   []member
	byMembers map[string][]member
	// mirrors is dropMirrors' map, empty between calls.
	mirrors map[connection]*Finding
}

// arenaChunk is how many ends one chunk holds.
const arenaChunk = 64

var arenas = sync.Pool{New: func() any {
	return &arena{ends: make(map[flow.WorkloadRef]*ends, 256), memos: [2]map[*Pod][]*compiled{make(map[*Pod][]*compiled, 256), make(map[*Pod][]*compiled, 256)},
		mirrors: map[connection]*Finding{}}
}}

// chunk returns an empty slab whose appends fill a chunk of the arena.
func (a *arena) chunk() []ends {
	if a.used == len(a.chunks) {
		a.chunks = append(a.chunks, make([]ends, 0, arenaChunk))
	}
	c := a.chunks[a.used][:0]
	a.used++
	return c
}

// reset forgets every end, dropping what they refer to (the caller's
// cluster), so the arena can serve another Check.
func (a *arena) reset() {
	clear(a.ends)
	clear(a.memos[0])
	clear(a.memos[1])
	for _, c := range a.chunks[:a.used] {
		clear(c[:cap(c)])
	}
	a.used = 0
	for i, h := range a.hits {
		clear(h)
		a.hits[i] = h[:0]
	}
}
