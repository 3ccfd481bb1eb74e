package agent

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

type pendingFunc func() []store.Pending

func (f pendingFunc) Pending(context.Context, int) ([]store.Pending, error) { return f(), nil }

// The gauge is the age of the oldest record of the oldest pending batch,
// and 0 when nothing waits.
func TestOutboxOldestAge(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	rec := func(ago time.Duration) store.Record {
		return store.Record{Observation: flow.Observation{LastSeen: now.Add(-ago)}}
	}
	var pending []store.Pending
	reg := prometheus.NewPedanticRegistry()
	RegisterOutboxAge(reg, pendingFunc(func() []store.Pending { return pending }), func() time.Time { return now })
	for _, tt := range []struct {
		name    string
		pending []store.Pending
		want    float64
	}{
		{"empty", nil, 0},
		{"oldest record of the first batch", []store.Pending{{Seq: 1, Records: []store.Record{rec(30 * time.Second), rec(90 * time.Second)}}}, 90},
		{"a record from the future", []store.Pending{{Seq: 1, Records: []store.Record{rec(-time.Minute)}}}, 0},
	} {
		pending = tt.pending
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		if got := mfs[0].GetMetric()[0].GetGauge().GetValue(); got != tt.want {
			t.Errorf("%s: age = %v, want %v", tt.name, got, tt.want)
		}
	}
	if n, err := promtest.GatherAndCount(reg); err != nil || n != 1 {
		t.Errorf("GatherAndCount = %d, %v", n, err)
	}
}
