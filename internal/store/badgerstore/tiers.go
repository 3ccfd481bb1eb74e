package badgerstore

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Rollup says that rows whose whole bucket ended more than After ago are
// merged into rows of Bucket: baselines keep full resolution for recent
// windows and coarser ones for old data, so 14 days of a workload are a few
// hundred rows instead of 2,016.
type Rollup struct {
	After  time.Duration
	Bucket time.Duration
}

// DefaultRollups keep 10-minute buckets for a day, hours for a week and
// days past it: 14 days of a workload are 144 + 144 + 7 rows (at most).
var DefaultRollups = []Rollup{{After: 24 * time.Hour, Bucket: time.Hour}, {After: 7 * 24 * time.Hour, Bucket: 24 * time.Hour}}

func (r Rollup) String() string { return shortDuration(r.After) + ":" + shortDuration(r.Bucket) }

// shortDuration writes 24h, not 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ParseRollups reads rollups written as after:bucket pairs separated by
// commas ("24h:1h,168h:24h"); "none" or "" is no rollup.
func ParseRollups(s string) ([]Rollup, error) {
	if s == "" || s == "none" {
		return nil, nil
	}
	var out []Rollup
	for _, f := range strings.Split(s, ",") {
		after, bucket, ok := strings.Cut(strings.TrimSpace(f), ":")
		a, err1 := time.ParseDuration(after)
		b, err2 := time.ParseDuration(bucket)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("rollup %q: want after:bucket, e.g. 24h:1h (buckets older than a day merged into hours)", f)
		}
		out = append(out, Rollup{After: a, Bucket: b})
	}
	return out, nil
}

// FormatRollups is the inverse of ParseRollups.
func FormatRollups(rs []Rollup) string {
	if len(rs) == 0 {
		return "none"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// ValidateRollups says what is wrong with rollups for a store of bucket.
func ValidateRollups(bucket time.Duration, rs []Rollup) error { return validateRollups(bucket, rs) }

// validateRollups checks that each rollup is coarser and older than the
// one before, its bucket a whole multiple of the previous one (so rows nest
// and never straddle a coarser bucket) and its age at least its bucket.
func validateRollups(bucket time.Duration, rs []Rollup) error {
	prev := Rollup{Bucket: bucket}
	for _, r := range rs {
		if r.Bucket <= prev.Bucket || r.Bucket%prev.Bucket != 0 || r.After <= prev.After || r.After < r.Bucket {
			return fmt.Errorf("rollup %s after %s: each rollup needs a bucket that is a multiple of the previous one (%s) and larger, and an age larger than the previous one's and at least its bucket",
				r.Bucket, r.After, prev.Bucket)
		}
		if r.Bucket/time.Second > 1<<31 {
			return fmt.Errorf("rollup bucket %s is too long", r.Bucket)
		}
		prev = r
	}
	return nil
}

// target is the row the row sp belongs in at now: the coarsest rollup
// whose bucket holding sp's start ended at least its After ago, or sp
// itself when none applies (or sp is already as coarse).
func (s *Store) target(sp rowSpan, now time.Time) rowSpan {
	for _, r := range slices.Backward(s.rollups) {
		start := sp.start.Truncate(r.Bucket)
		end := start.Add(r.Bucket)
		// A row of an older configuration that straddles the bucket stays.
		if r.Bucket > sp.length && !sp.end().After(end) && !end.After(now.Add(-r.After)) {
			return rowSpan{start: start, length: r.Bucket}
		}
	}
	return sp
}

// coarsest is the longest row the store may hold: reads seek back by it.
func (s *Store) coarsest() time.Duration {
	longest := s.bucket
	for _, r := range s.rollups {
		longest = max(longest, r.Bucket)
	}
	return max(longest, s.longest)
}

// rowLengths lists the bucket, the rollups' buckets and the longest row
// recorded, shortest first.
func (s *Store) rowLengths() []time.Duration {
	out := []time.Duration{s.bucket}
	for _, r := range s.rollups {
		out = append(out, r.Bucket)
	}
	out = append(out, s.longest)
	slices.Sort(out)
	return slices.Compact(out)
}
