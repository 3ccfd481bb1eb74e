package badgerstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

const countersLen = 32

// counters is the value of an edge entry: what merges when deltas arrive.
type counters struct {
	count, failed uint64
	first, last   int64 // Unix nanoseconds; 0 when unknown
}

func countersOf(f flow.Flow) counters {
	return counters{count: f.Count, failed: f.Failed, first: unixNano(f.FirstSeen), last: unixNano(f.LastSeen)}
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func (c *counters) merge(o counters) {
	c.count = saturatingAdd(c.count, o.count)
	c.failed = saturatingAdd(c.failed, o.failed)
	if c.first == 0 || (o.first != 0 && o.first < c.first) {
		c.first = o.first
	}
	c.last = max(c.last, o.last)
}

func (c counters) appendTo(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, c.count)
	b = binary.BigEndian.AppendUint64(b, c.failed)
	b = binary.BigEndian.AppendUint64(b, uint64(c.first))
	return binary.BigEndian.AppendUint64(b, uint64(c.last))
}

func decodeCounters(b []byte) (counters, error) {
	if len(b) != countersLen {
		return counters{}, fmt.Errorf("counters are %d bytes, want %d", len(b), countersLen)
	}
	return counters{
		count:  binary.BigEndian.Uint64(b),
		failed: binary.BigEndian.Uint64(b[8:]),
		first:  int64(binary.BigEndian.Uint64(b[16:])),
		last:   int64(binary.BigEndian.Uint64(b[24:])),
	}, nil
}

// flow turns the counters back into a flow of key k.
func (c counters) flow(k flow.Key) flow.Flow {
	f := flow.Flow{Key: k, Count: c.count, Failed: c.failed}
	if c.first != 0 {
		f.FirstSeen = time.Unix(0, c.first).UTC()
	}
	if c.last != 0 {
		f.LastSeen = time.Unix(0, c.last).UTC()
	}
	return f
}

// saturatingAdd adds without wrapping: a counter that reached the maximum
// stays there instead of turning into a small number.
func saturatingAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}
