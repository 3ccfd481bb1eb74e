package observer_test

import (
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"
)

// The ratio benchmarks run each loop in pairs of rounds, without and with a
// set of programs attached, in ABBA order so that a trend in the machine's
// load favours neither side.
const (
	ratioPairs = 40
	ratioRound = 200 * time.Millisecond
)

// series is one loop measured against one set of programs: the paired
// rounds' counts and ratios.
type series struct {
	name           string
	attach, detach func() error
	run            func() uint64 // one round: how many operations it made
	off, on        uint64
	ratios         []float64
}

func (s *series) pair(b *testing.B, offFirst bool) {
	off, on := alternateWith(b, s.attach, s.detach, withoutGC(s.run), offFirst)
	s.off, s.on = s.off+off, s.on+on
	s.ratios = append(s.ratios, float64(on)/float64(max(off, 1)))
}

// median is the median of the paired ratios: robust to another process's
// burst hitting one round.
func (s *series) median() float64 {
	r := slices.Sorted(slices.Values(s.ratios))
	if len(r)%2 == 1 {
		return r[len(r)/2]
	}
	return (r[len(r)/2-1] + r[len(r)/2]) / 2
}

// iqr is the interquartile range of the paired ratios.
func (s *series) iqr() float64 {
	r := slices.Sorted(slices.Values(s.ratios))
	return r[len(r)*3/4] - r[len(r)/4]
}

// total is the ratio of the sums over every round.
func (s *series) total() float64 { return float64(s.on) / float64(max(s.off, 1)) }

// runPairs runs ratioPairs pairs of each series, interleaved: pair r of
// every series before pair r+1 of any, so that they share the machine's
// moments. A first pair of each warms the loops and the programs up and is
// not counted.
func runPairs(b *testing.B, ss ...*series) {
	for _, s := range ss {
		alternateWith(b, s.attach, s.detach, s.run, true)
	}
	for r := range ratioPairs {
		for _, s := range ss {
			s.pair(b, r%2 == 0)
		}
	}
}

// withoutGC runs a round with the garbage collector off, after a
// collection: no round pays for another's garbage, and no cycle lands in
// one half of a pair only. A round allocates a few MiB (a connection's Go
// objects are about a kilobyte).
func withoutGC(fn func() uint64) func() uint64 {
	return func() uint64 {
		runtime.GC()
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		return fn()
	}
}

// alternateWith runs fn without and with the programs of attach (in that
// order when offFirst) and returns both counts; the programs end detached.
func alternateWith(b *testing.B, attach, detach func() error, fn func() uint64, offFirst bool) (off, on uint64) {
	withPrograms := func() uint64 {
		if err := attach(); err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := detach(); err != nil {
				b.Fatal(err)
			}
		}()
		return fn()
	}
	if offFirst {
		off = fn()
		return off, withPrograms()
	}
	on = withPrograms()
	return fn(), on
}
