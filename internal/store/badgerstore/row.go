package badgerstore

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
)

// row is the value of a (workload, bucket) entry: the counters of each edge
// seen in that bucket, keyed by the edge's encoding (appendEdge). Keeping a
// workload's bucket in one entry makes ingest one read and one write per
// workload and bucket instead of per edge.
type row map[string]counters

func (r row) add(edge string, c counters) {
	old := r[edge]
	old.merge(c)
	r[edge] = old
}

// encode writes the edges sorted, so equal rows give equal bytes:
// repeated [uvarint edge length][edge][counters].
func (r row) encode() []byte {
	edges := slices.Sorted(maps.Keys(r))
	n := 0
	for _, e := range edges {
		n += binary.MaxVarintLen64 + len(e) + countersLen
	}
	b := make([]byte, 0, n)
	for _, e := range edges {
		b = appendString(b, e)
		b = r[e].appendTo(b)
	}
	return b
}

// decodeRow merges the encoded row b into r.
func (r row) decode(b []byte) error {
	for len(b) > 0 {
		n, sz := binary.Uvarint(b)
		if sz <= 0 || uint64(len(b)-sz) < n+countersLen {
			return fmt.Errorf("row is truncated")
		}
		edge := string(b[sz : sz+int(n)])
		b = b[sz+int(n):]
		c, err := decodeCounters(b[:countersLen])
		if err != nil {
			return err
		}
		r.add(edge, c)
		b = b[countersLen:]
	}
	return nil
}

// mergeInto merges r into the encoded row old (as written by encode) and
// returns the encoding of the union, without decoding old into a map:
// both are sorted by edge, so one linear pass suffices.
func (r row) mergeInto(old []byte) ([]byte, error) {
	edges := slices.Sorted(maps.Keys(r))
	out := make([]byte, 0, len(old)+len(edges)*(binary.MaxVarintLen64+countersLen+64))
	i := 0
	for len(old) > 0 {
		n, sz := binary.Uvarint(old)
		if sz <= 0 || uint64(len(old)-sz) < n+countersLen {
			return nil, fmt.Errorf("row is truncated")
		}
		edge := old[sz : sz+int(n)]
		c, err := decodeCounters(old[sz+int(n) : sz+int(n)+countersLen])
		if err != nil {
			return nil, err
		}
		old = old[sz+int(n)+countersLen:]
		for ; i < len(edges) && edges[i] < string(edge); i++ {
			out = r[edges[i]].appendTo(appendString(out, edges[i]))
		}
		if i < len(edges) && edges[i] == string(edge) {
			c.merge(r[edges[i]])
			i++
		}
		out = c.appendTo(appendString(out, string(edge)))
	}
	for ; i < len(edges); i++ {
		out = r[edges[i]].appendTo(appendString(out, edges[i]))
	}
	return out, nil
}
