package observer_test

import (
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"
)

// The ratio benchmarks run each loop in pairs of rounds, one with each of
// two sets of programs attached (usually none and the observer), in ABBA
// order so that a trend in the machine's load favours neither side.
const (
	ratioPairs = 80
	ratioRound = 200 * time.Millisecond
)

// programs attaches and detaches one set of BPF programs.
type programs struct{ attach, detach func() error }

// noPrograms is the half of a pair without programs.
var noPrograms = programs{func() error { return nil }, func() error { return nil }}

// series is one loop measured with the programs on against those off: the
// paired rounds' counts and ratios.
type series struct {
	name    string
	off, on programs
	run     func() uint64 // one round: how many operations it made
	rates   bool          // report the rates and the ratio of the sums too
	offN    uint64
	onN     uint64
	ratios  []float64
}

func (s *series) pair(b *testing.B, offFirst bool) {
	off, on := s.halves(b, offFirst)
	s.offN, s.onN = s.offN+off, s.onN+on
	s.ratios = append(s.ratios, float64(on)/float64(max(off, 1)))
}

// halves runs one round with s.off and one with s.on attached (in that
// order when offFirst); the programs end detached.
func (s *series) halves(b *testing.B, offFirst bool) (off, on uint64) {
	if offFirst {
		off = during(b, s.off, s.run)
		return off, during(b, s.on, s.run)
	}
	on = during(b, s.on, s.run)
	return during(b, s.off, s.run), on
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

// ci is a ciLevel confidence interval of the median paired ratio
// (medianCI): how far one run's median can be from the machine's.
func (s *series) ci() (lo, hi float64) { return medianCI(s.ratios, ciLevel) }

// report prints the median of the paired ratios, its confidence interval
// and their interquartile range, as ratio_<name>, ratio_<name>_lo and _hi,
// ratio_<name>_iqr.
func (s *series) report(b *testing.B) {
	lo, hi := s.ci()
	b.ReportMetric(s.median(), "ratio_"+s.name)
	b.ReportMetric(lo, "ratio_"+s.name+"_lo")
	b.ReportMetric(hi, "ratio_"+s.name+"_hi")
	b.ReportMetric(s.iqr(), "ratio_"+s.name+"_iqr")
}

// total is the ratio of the sums over every round.
func (s *series) total() float64 { return float64(s.onN) / float64(max(s.offN, 1)) }

// runPairs runs ratioPairs pairs of each series, interleaved: pair r of
// every series before pair r+1 of any, so that they share the machine's
// moments. A first pair of each warms the loops and the programs up and is
// not counted.
func runPairs(b *testing.B, ss ...*series) {
	for _, s := range ss {
		s.halves(b, true)
	}
	for r := range ratioPairs {
		for _, s := range ss {
			s.pair(b, r%2 == 0)
		}
	}
}

// during runs one round of fn with p attached, and with the garbage
// collector off, after a collection: no round pays for another's garbage,
// and no cycle lands in one half of a pair only. A round allocates a few
// MiB (a connection's Go objects are about a kilobyte).
func during(b *testing.B, p programs, fn func() uint64) uint64 {
	if err := p.attach(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := p.detach(); err != nil {
			b.Fatal(err)
		}
	}()
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	return fn()
}
