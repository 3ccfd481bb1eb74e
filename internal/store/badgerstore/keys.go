package badgerstore

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Key layout. Names in Kubernetes never contain NUL, so it separates them.
//
//	s/<observer>                                       → last applied seq (TTL: Options.SequenceTTL)
//	m/schema, m/bucket                                 → see meta.go
//	r/<ns>\0<kind>\0<name>\0<bucket: 8 bytes BE>         → row of edges of one bucket
//	r/<ns>\0<kind>\0<name>\0<start: 8 bytes BE><length: 4 bytes BE> → row of a rolled-up bucket (rollup.go)
//	p/<peer ns>\0<kind>\0<name>\0<ns>\0<kind>\0<name>\0  → buckets of flows to the peer (peerindex.go)
//
// Schema 1 kept rows under b/ with shorter counters; Open moves them to r/
// (migrate.go), so a row is always in one place and one format.
const (
	seqPrefix    = "s/"
	edgePrefix   = "r/"
	edgePrefixV1 = "b/"
	sep          = 0
	bucketLen    = 8
	lengthLen    = 4
)

func seqKey(observer string) []byte { return []byte(seqPrefix + observer) }

// namespacePrefix is the prefix of every edge of namespace ns; an empty ns
// gives the prefix of every edge.
func namespacePrefix(ns string) []byte {
	if ns == "" {
		return []byte(edgePrefix)
	}
	return []byte(edgePrefix + ns + "\x00")
}

func workloadPrefix(w flow.WorkloadRef) []byte { return workloadPrefixTo(nil, w) }

// workloadPrefixTo appends the prefix of every edge of w to b.
func workloadPrefixTo(b []byte, w flow.WorkloadRef) []byte {
	b = append(b, edgePrefix...)
	b = append(b, w.Namespace...)
	b = append(b, sep)
	b = append(b, w.Kind...)
	b = append(b, sep)
	b = append(b, w.Name...)
	return append(b, sep)
}

// appendBucket adds the bucket start, in Unix seconds, so keys sort by time
// within a workload. Times before 1970 clamp to 0.
func appendBucket(b []byte, start time.Time) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(max(start.Unix(), 0)))
}

// appendSpan adds the start and, for a rolled-up row (length other than
// the store's bucket), its length in seconds. A bucket's row and a
// rolled-up row starting at the same time sort next to each other, the
// former first, so a workload's rows stay sorted by start.
func appendSpan(b []byte, start time.Time, length, bucket time.Duration) []byte {
	b = appendBucket(b, start)
	if length == bucket {
		return b
	}
	return binary.BigEndian.AppendUint32(b, uint32(length/time.Second))
}

// rowSpan is the time a row covers: [start, start+length).
type rowSpan struct {
	start  time.Time
	length time.Duration
}

func (r rowSpan) end() time.Time { return r.start.Add(r.length) }

// splitRowKey parses a row key into its workload and the time it covers; a
// row without a length is one bucket long.
func splitRowKey(k []byte, bucket time.Duration) (flow.WorkloadRef, rowSpan, error) {
	rest, ok := strings.CutPrefix(string(k), edgePrefix)
	if !ok {
		return flow.WorkloadRef{}, rowSpan{}, fmt.Errorf("key %q is not a baseline row", k)
	}
	parts := strings.SplitN(rest, "\x00", 4)
	if len(parts) != 4 || len(parts[3]) != bucketLen && len(parts[3]) != bucketLen+lengthLen {
		return flow.WorkloadRef{}, rowSpan{}, fmt.Errorf("baseline row key %q is malformed", k)
	}
	w := flow.WorkloadRef{Namespace: parts[0], Kind: flow.Kind(parts[1]), Name: parts[2]}
	sp := rowSpan{start: time.Unix(int64(binary.BigEndian.Uint64([]byte(parts[3]))), 0).UTC(), length: bucket}
	if len(parts[3]) > bucketLen {
		sp.length = time.Duration(binary.BigEndian.Uint32([]byte(parts[3][bucketLen:]))) * time.Second
	}
	return w, sp, nil
}
