package badgerstore

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRollups(t *testing.T) {
	tests := []struct {
		in    string
		want  []Rollup
		valid bool
	}{
		{"24h:1h,168h:24h", DefaultRollups, true},
		{"none", nil, true},
		{"2h:30m", []Rollup{{2 * time.Hour, 30 * time.Minute}}, true},
		{"1h:7m", []Rollup{{time.Hour, 7 * time.Minute}}, false},                                           // not a multiple of 10m
		{"24h:1h,12h:24h", []Rollup{{24 * time.Hour, time.Hour}, {12 * time.Hour, 24 * time.Hour}}, false}, // younger than the one before
		{"30m:1h", []Rollup{{30 * time.Minute, time.Hour}}, false},                                         // younger than its bucket
		{"24h:1h,168h:1h", []Rollup{{24 * time.Hour, time.Hour}, {168 * time.Hour, time.Hour}}, false},
	}
	for _, tt := range tests {
		got, err := ParseRollups(tt.in)
		if err != nil {
			t.Fatalf("ParseRollups(%q): %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseRollups(%q) (-want +got):\n%s", tt.in, diff)
		}
		if err := validateRollups(DefaultBucket, got); (err == nil) != tt.valid {
			t.Errorf("validateRollups(%q) = %v, want valid %v", tt.in, err, tt.valid)
		}
		if back, _ := ParseRollups(FormatRollups(got)); !cmp.Equal(back, got) {
			t.Errorf("FormatRollups(%q) = %q does not parse back", tt.in, FormatRollups(got))
		}
	}
	for _, bad := range []string{"24h", "1d:1h", "24h:1h,"} {
		if _, err := ParseRollups(bad); err == nil {
			t.Errorf("ParseRollups(%q) succeeded", bad)
		}
	}
	if got := FormatRollups(DefaultRollups); got != "24h:1h,168h:24h" {
		t.Errorf("FormatRollups(DefaultRollups) = %q", got)
	}
}

// target picks the coarsest rollup a row is old enough for.
func TestTarget(t *testing.T) {
	s := &Store{bucket: DefaultBucket, rollups: DefaultRollups}
	row := func(start time.Time, l time.Duration) rowSpan { return rowSpan{start, l} }
	at := day0.Add(3*time.Hour + 20*time.Minute)
	tests := []struct {
		now  time.Time
		want rowSpan
	}{
		{day0.Add(5 * time.Hour), row(at, DefaultBucket)},                   // hours old
		{day0.Add(28*time.Hour + 1), row(day0.Add(3*time.Hour), time.Hour)}, // its hour ended a day ago
		{day0.Add(8 * 24 * time.Hour), row(day0, 24*time.Hour)},             // its day ended a week ago
	}
	for _, tt := range tests {
		if got := s.target(row(at, DefaultBucket), tt.now); got != tt.want {
			t.Errorf("target at %v = %v, want %v", tt.now, got, tt.want)
		}
	}
}
