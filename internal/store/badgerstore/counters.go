package badgerstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// countersLen is the size of encoded counters: count, failed, first, last,
// refused, timedOut, unreachable (schema 2). Schema 1 had the first four
// only (countersLenV1).
const (
	countersLen   = 56
	countersLenV1 = 32
)

// counters is the value of an edge entry: what merges when deltas arrive.
type counters struct {
	count, failed uint64
	first, last   int64 // Unix nanoseconds; 0 when unknown
	// refused, timedOut and unreachable say why connects failed (subsets
	// of failed; flow.Failures).
	refused, timedOut, unreachable uint64
}

func countersOf(f flow.Flow) counters {
	return counters{
		count: f.Count, failed: f.Failed, first: unixNano(f.FirstSeen), last: unixNano(f.LastSeen),
		refused: f.Refused, timedOut: f.TimedOut, unreachable: f.Unreachable,
	}
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
	c.refused = saturatingAdd(c.refused, o.refused)
	c.timedOut = saturatingAdd(c.timedOut, o.timedOut)
	c.unreachable = saturatingAdd(c.unreachable, o.unreachable)
	if c.first == 0 || (o.first != 0 && o.first < c.first) {
		c.first = o.first
	}
	c.last = max(c.last, o.last)
}

func (c counters) appendTo(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, c.count)
	b = binary.BigEndian.AppendUint64(b, c.failed)
	b = binary.BigEndian.AppendUint64(b, uint64(c.first))
	b = binary.BigEndian.AppendUint64(b, uint64(c.last))
	b = binary.BigEndian.AppendUint64(b, c.refused)
	b = binary.BigEndian.AppendUint64(b, c.timedOut)
	return binary.BigEndian.AppendUint64(b, c.unreachable)
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

		refused:     binary.BigEndian.Uint64(b[32:]),
		timedOut:    binary.BigEndian.Uint64(b[40:]),
		unreachable: binary.BigEndian.Uint64(b[48:]),
	}, nil
}

// flow turns the counters back into a flow of key k.
func (c counters) flow(k flow.Key) flow.Flow {
	f := flow.Flow{Key: k, Count: c.count, Failed: c.failed,
		Failures: flow.Failures{Refused: c.refused, TimedOut: c.timedOut, Unreachable: c.unreachable}}
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
