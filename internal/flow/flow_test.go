package flow

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Peers sort by kind first (External before Workload), then by name.
func TestAggregateMergesEqualKeysAndSorts(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	app := WorkloadRef{Namespace: "shop", Kind: KindDeployment, Name: "api"}
	db := Peer{Kind: PeerWorkload, Workload: WorkloadRef{Namespace: "shop", Kind: KindStatefulSet, Name: "db"}}
	ext := Peer{Kind: PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}
	key := func(p Peer, port int32) Key {
		return Key{Workload: app, Direction: Egress, Peer: p, Port: port, Protocol: "TCP", Process: "java"}
	}
	in := []Flow{
		{Key: key(ext, 27017), Count: 1, FirstSeen: t0, LastSeen: t0},
		{Key: key(db, 5432), Count: 2, FirstSeen: t0.Add(time.Minute), LastSeen: t0.Add(2 * time.Minute)},
		{Key: key(db, 5432), Count: 3, Failed: 1, FirstSeen: t0, LastSeen: t0.Add(time.Minute)},
	}
	want := []Flow{
		{Key: key(ext, 27017), Count: 1, FirstSeen: t0, LastSeen: t0},
		{Key: key(db, 5432), Count: 5, Failed: 1, FirstSeen: t0, LastSeen: t0.Add(2 * time.Minute)},
	}
	if diff := cmp.Diff(want, Aggregate(in), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Fatalf("Aggregate (-want +got):\n%s", diff)
	}
}

func TestWindowContains(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		w    Window
		at   time.Time
		want bool
	}{
		{"open window", Window{}, t0, true},
		{"at from", Window{From: t0}, t0, true},
		{"before from", Window{From: t0}, t0.Add(-time.Second), false},
		{"at to is outside", Window{To: t0}, t0, false},
		{"inside", Window{From: t0, To: t0.Add(time.Hour)}, t0.Add(time.Minute), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Contains(tt.at); got != tt.want {
				t.Fatalf("Contains(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

// TestMergeSaturates: counts from many observers never wrap to a small
// number (an observer can send any count).
func TestMergeSaturates(t *testing.T) {
	f := Flow{Count: math.MaxUint64 - 1, Failed: 3, Failures: Failures{Refused: 2, TimedOut: 1, Unreachable: math.MaxUint64}}
	f.Merge(Flow{Count: 5, Failed: math.MaxUint64, Failures: Failures{Refused: math.MaxUint64, TimedOut: 1, Unreachable: 1}})
	if f.Count != math.MaxUint64 || f.Failed != math.MaxUint64 {
		t.Fatalf("merged counts = %d, %d; want both saturated at %d", f.Count, f.Failed, uint64(math.MaxUint64))
	}
	if want := (Failures{Refused: math.MaxUint64, TimedOut: 2, Unreachable: math.MaxUint64}); f.Failures != want {
		t.Fatalf("merged failures = %+v, want %+v (saturated, not wrapped)", f.Failures, want)
	}
	f = Flow{Count: 2}
	f.Merge(Flow{Count: 3})
	if f.Count != 5 {
		t.Fatalf("2 + 3 = %d", f.Count)
	}
}
