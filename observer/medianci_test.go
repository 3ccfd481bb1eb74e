package observer_test

import (
	"math"
	"slices"
)

// ciLevel is the confidence of the intervals the ratio benchmarks print
// beside each median (ratio_*_lo, ratio_*_hi).
const ciLevel = 0.90

// medianCI returns a confidence interval, at level, of the median of the
// distribution xs were drawn from: the order statistics x(k) and x(n+1-k)
// of the sorted sample, with the largest k for which the chance that fewer
// than k of n draws fall below the median, P(Binomial(n, 1/2) < k), is at
// most (1-level)/2. The interval needs no assumption about the
// distribution (the sign test's interval; Hollander & Wolfe,
// "Nonparametric Statistical Methods", 3.6) and no random resampling, so
// one run's rounds give one answer. With too few values for that level it
// is the sample's whole range.
func medianCI(xs []float64, level float64) (lo, hi float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	k := medianCIRank(len(s), level)
	return s[k-1], s[len(s)-k]
}

// medianCIRank is the k of medianCI for n values (1-based; 1 when even
// the whole range falls short of level).
func medianCIRank(n int, level float64) int {
	tail := (1 - level) / 2
	k, below := 1, binomialHalf(n, 0) // below: P(Binomial(n, 1/2) < k)
	for k+1 <= (n+1)/2 {
		next := below + binomialHalf(n, k)
		if next > tail {
			break
		}
		k, below = k+1, next
	}
	return k
}

// binomialHalf is P(Binomial(n, 1/2) = i), in log space so that large n
// do not underflow.
func binomialHalf(n, i int) float64 {
	ln, _ := math.Lgamma(float64(n + 1))
	li, _ := math.Lgamma(float64(i + 1))
	lr, _ := math.Lgamma(float64(n - i + 1))
	return math.Exp(ln - li - lr - float64(n)*math.Ln2)
}
