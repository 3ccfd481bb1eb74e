package observer_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMedianCIRank: the rank medianCI picks is the largest whose interval
// still covers the median with at least the level asked, by the exact
// binomial sum computed here term by term (a different route from the
// cumulative one medianCIRank walks).
func TestMedianCIRank(t *testing.T) {
	coverage := func(n, k int) float64 {
		var c float64
		for i := k; i <= n-k; i++ {
			c += binomialHalf(n, i)
		}
		return c
	}
	for _, n := range []int{6, 10, 20, 40, 41, 80, 120, 400} {
		k := medianCIRank(n, ciLevel)
		if c := coverage(n, k); c < ciLevel {
			t.Errorf("n=%d: rank %d covers %.4f, below %.2f", n, k, c, ciLevel)
		}
		if k+1 <= (n+1)/2 && coverage(n, k+1) >= ciLevel {
			t.Errorf("n=%d: rank %d, but %d also covers %.4f", n, k, k+1, coverage(n, k+1))
		}
	}
	if k := medianCIRank(3, ciLevel); k != 1 {
		t.Errorf("n=3: rank %d, want 1 (the whole range: too few values)", k)
	}
}

// TestMedianCICovers: over many samples of 40 paired ratios from a skewed
// distribution with a known median, the interval holds that median about
// as often as its level says, and narrows as the sample grows.
func TestMedianCICovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const trials, median = 4000, 0.97
	// exp is monotonic and Exp(1)'s median is ln 2: the draws' median is median.
	draw := func() float64 { return median * math.Exp(0.2*(rng.ExpFloat64()-math.Ln2)) }
	width := map[int]float64{}
	for _, n := range []int{40, 160} {
		held := 0
		for range trials {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = draw()
			}
			lo, hi := medianCI(xs, ciLevel)
			if lo > hi || lo < slices.Min(xs) || hi > slices.Max(xs) {
				t.Fatalf("n=%d: interval [%v, %v] outside the sample", n, lo, hi)
			}
			if lo <= median && median <= hi {
				held++
			}
			width[n] += (hi - lo) / trials
		}
		if got := float64(held) / trials; got < ciLevel-0.02 || got > 0.97 {
			t.Errorf("n=%d: the interval held the median in %.3f of samples, want about %.2f", n, got, ciLevel)
		}
	}
	if width[160] > 0.6*width[40] {
		t.Errorf("mean width %.4f with 160 values against %.4f with 40: want about half", width[160], width[40])
	}
}
