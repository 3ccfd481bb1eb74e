package flow

import (
	"cmp"
	"hash/maphash"
	"slices"
	"strings"
)

// sortKey is what CompareKeys looks at in a flow, with the workload and the
// peer rendered once per flow rather than twice per comparison: sorting a
// baseline compares each flow about log2(n) times.
type sortKey struct {
	workload, peer string
	f              *Flow
	i              int // input position: ties keep input order
}

// sortKeys renders the keys of flows. The workload is left empty when all
// flows share one, as in a baseline: equal strings compare equal anyway.
func sortKeys(flows []Flow) []sortKey {
	same := true
	for i := range flows {
		same = same && flows[i].Workload == flows[0].Workload
	}
	arena := make([]byte, 0, len(flows)*48)
	ends := make([][2]int, len(flows))
	for i := range flows {
		if !same {
			arena = appendWorkload(arena, flows[i].Workload)
		}
		ends[i][0] = len(arena)
		arena = appendPeer(arena, flows[i].Peer)
		ends[i][1] = len(arena)
	}
	s := string(arena)
	keys := make([]sortKey, len(flows))
	start := 0
	for i := range flows {
		keys[i] = sortKey{workload: s[start:ends[i][0]], peer: s[ends[i][0]:ends[i][1]], f: &flows[i], i: i}
		start = ends[i][1]
	}
	return keys
}

// compare is CompareKeys on the rendered keys.
func (a *sortKey) compare(b *sortKey) int {
	if c := strings.Compare(a.workload, b.workload); c != 0 {
		return c
	}
	if c := compareHead(&a.f.Key, &b.f.Key); c != 0 {
		return c
	}
	if c := strings.Compare(a.peer, b.peer); c != 0 {
		return c
	}
	return compareTail(&a.f.Key, &b.f.Key)
}

func compareHead(a, b *Key) int {
	return cmp.Or(cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.Peer.Kind, b.Peer.Kind))
}

func compareTail(a, b *Key) int {
	if c := cmp.Compare(a.Protocol, b.Protocol); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Process, b.Process))
}

// aggregate merges equal keys, in input order, then sorts: a baseline read
// over many buckets holds each edge many times, so merging first leaves
// less to sort.
func aggregate(flows []Flow) []Flow {
	out := make([]Flow, 0, len(flows))
	m := newKeyIndex(len(flows))
	for i := range flows {
		h := maphash.Comparable(keySeed, flows[i].Key)
		if j := m.find(out, h, &flows[i].Key); j >= 0 {
			out[j].Merge(flows[i])
			continue
		}
		m.add(h)
		out = append(out, flows[i])
	}
	sortFlows(out)
	return out
}

// keySeed seeds the hashes of keyIndex; any seed works.
var keySeed = maphash.MakeSeed()

// keyIndex finds flows by key. A map[Key]int would store each key apart
// (keys are larger than a map slot), one allocation per flow; this one
// maps a hash of the key to a chain of positions instead.
type keyIndex struct {
	head map[uint64]int32
	next []int32 // next[j] is the next position with the hash of j, or -1
}

func newKeyIndex(n int) keyIndex {
	return keyIndex{head: make(map[uint64]int32, n), next: make([]int32, 0, n)}
}

// find returns the position of key k, of hash h, in flows, or -1.
func (m *keyIndex) find(flows []Flow, h uint64, k *Key) int {
	j, ok := m.head[h]
	for ok && j >= 0 {
		if flows[j].Key == *k {
			return int(j)
		}
		j = m.next[j]
	}
	return -1
}

// add records that the next position holds a key of hash h.
func (m *keyIndex) add(h uint64) {
	prev, ok := m.head[h]
	if !ok {
		prev = -1
	}
	m.head[h] = int32(len(m.next))
	m.next = append(m.next, prev)
}

// sortFlows sorts by CompareKeys, ties in input order: it sorts the small
// rendered keys and then moves each flow once, following the permutation's
// cycles.
func sortFlows(flows []Flow) {
	keys := sortKeys(flows)
	slices.SortFunc(keys, func(a, b sortKey) int {
		return cmp.Or(a.compare(&b), cmp.Compare(a.i, b.i))
	})
	from := make([]int, len(keys)) // position j takes the flow at from[j]
	for j := range keys {
		from[j] = keys[j].i
	}
	for j := range from {
		if from[j] == j {
			continue
		}
		held, k := flows[j], j
		for from[k] != j {
			src := from[k]
			flows[k], from[k] = flows[src], k
			k = src
		}
		flows[k], from[k] = held, k
	}
}
