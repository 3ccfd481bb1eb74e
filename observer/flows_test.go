package observer_test

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// collect drains o until the observations of the given cgroups, merged by
// key, equal want or the deadline passes; it returns what it had then.
// Flows of other cgroups (other tests, the host) are ignored.
func collect(t *testing.T, o *observer.Observer, cgroups map[uint64]bool, want []flow.Observation) []flow.Observation {
	t.Helper()
	return collectInto(t, o, cgroups, want, map[string]*flow.Observation{})
}

// collectInto is collect adding to what merged holds already; opts are
// added to cmpOpts for the comparison with want.
func collectInto(t *testing.T, o *observer.Observer, cgroups map[uint64]bool, want []flow.Observation, merged map[string]*flow.Observation, opts ...cmp.Option) []flow.Observation {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		obs, err := o.Drain()
		if err != nil {
			t.Fatal(err)
		}
		for _, ob := range obs {
			if !cgroups[ob.CgroupID] {
				continue
			}
			mergeObservation(merged, ob)
		}
		got := sortedObservations(merged)
		if cmp.Equal(want, got, append(opts, cmpOpts...)...) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// drainWhile runs fn while draining o every 20 ms into merged (the
// observations of cgroups), so that what fn does spreads over many drains.
func drainWhile(t *testing.T, o *observer.Observer, cgroups map[uint64]bool, merged map[string]*flow.Observation, fn func()) {
	t.Helper()
	drainEvery(t, o, 20*time.Millisecond, cgroups, merged, fn)
}

// drainEvery is drainWhile with another interval.
func drainEvery(t *testing.T, o *observer.Observer, every time.Duration, cgroups map[uint64]bool, merged map[string]*flow.Observation, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	for {
		obs, err := o.Drain()
		if err != nil {
			t.Fatal(err)
		}
		for _, ob := range obs {
			if cgroups[ob.CgroupID] {
				mergeObservation(merged, ob)
			}
		}
		select {
		case <-done:
			return
		case <-time.After(every):
		}
	}
}

var cmpOpts = []cmp.Option{
	cmpopts.EquateComparable(netip.Addr{}),
	cmpopts.IgnoreFields(flow.Observation{}, "FirstSeen", "LastSeen"),
}

func obsKey(o flow.Observation) string {
	return fmt.Sprintf("%d %s %s %s %s %d %s %s", o.CgroupID, o.LocalIP, o.Direction, o.Client, o.Server, o.ServerPort, o.Protocol, o.Process)
}

func mergeObservation(m map[string]*flow.Observation, ob flow.Observation) {
	k := obsKey(ob)
	if cur, ok := m[k]; ok {
		cur.Count += ob.Count
		cur.Failed += ob.Failed
		cur.Failures.Add(ob.Failures)
		cur.FirstSeen = minTime(cur.FirstSeen, ob.FirstSeen)
		cur.LastSeen = maxTime(cur.LastSeen, ob.LastSeen)
		return
	}
	m[k] = &ob
}

func sortedObservations(m map[string]*flow.Observation) []flow.Observation {
	out := make([]flow.Observation, 0, len(m))
	for _, o := range m {
		out = append(out, *o)
	}
	sortObservations(out)
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
