package badgerstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
)

// edgeSeed seeds the hashes of edgeSet; any seed works.
var edgeSeed = maphash.MakeSeed()

// edgeSet merges the encoded edges of one workload's rows: their bytes
// are copied into one arena (a row's value is only valid while Badger
// hands it out) and indexed by hash, so merging allocates nothing per edge.
type edgeSet struct {
	arena    []byte
	ends     []int // edge i is arena[ends[i-1]:ends[i]]
	counters []counters
	head     map[uint64]int32
	next     []int32 // next[i] is the previous edge with i's hash, or -1
}

func newEdgeSet() edgeSet {
	return edgeSet{head: make(map[uint64]int32)}
}

func (s *edgeSet) len() int { return len(s.ends) }

func (s *edgeSet) edge(i int) []byte {
	start := 0
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.arena[start:s.ends[i]]
}

func (s *edgeSet) reset() {
	s.arena, s.ends, s.counters, s.next = s.arena[:0], s.ends[:0], s.counters[:0], s.next[:0]
	clear(s.head)
}

// addRow merges an encoded row (see row.encode) into the set.
func (s *edgeSet) addRow(b []byte) error {
	for len(b) > 0 {
		n, sz := binary.Uvarint(b)
		if sz <= 0 || uint64(len(b)-sz) < n+countersLen {
			return fmt.Errorf("row is truncated")
		}
		edge := b[sz : sz+int(n)]
		c, err := decodeCounters(b[sz+int(n) : sz+int(n)+countersLen])
		if err != nil {
			return err
		}
		s.add(edge, c)
		b = b[sz+int(n)+countersLen:]
	}
	return nil
}

func (s *edgeSet) add(edge []byte, c counters) {
	h := maphash.Bytes(edgeSeed, edge)
	first, ok := s.head[h]
	for i := first; ok && i >= 0; i = s.next[i] {
		if bytes.Equal(s.edge(int(i)), edge) {
			s.counters[i].merge(c)
			return
		}
	}
	if !ok {
		first = -1
	}
	s.head[h] = int32(len(s.ends))
	s.next = append(s.next, first)
	s.arena = append(s.arena, edge...)
	s.ends = append(s.ends, len(s.arena))
	s.counters = append(s.counters, c)
}
