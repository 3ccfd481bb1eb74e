package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// The BPF object helpers live in testutil, shared with the cluster tests.
type bpfObjects = testutil.BPFObjects

var (
	heldBPFObjects = testutil.HeldBPFObjects
	bpfExists      = testutil.BPFExists
)

// observerBPF returns the BPF objects the running observer holds, after
// checking that they are there and can be looked up by ID.
func observerBPF(t *testing.T, obs *proc) bpfObjects {
	t.Helper()
	held, err := heldBPFObjects(obs.cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(held["prog"]) < 3 {
		t.Fatalf("the observer holds %d BPF programs, want its TCP and two UDP programs at least: %v", len(held["prog"]), held)
	}
	requireExist(t, held)
	t.Logf("the observer holds BPF programs %v, maps %v, links %v", keys(held["prog"]), keys(held["map"]), keys(held["link"]))
	return held
}

// requireExist fails unless every one of objs can be opened by ID now, so
// that waitReleased's "gone" means gone and not a lookup that never works.
func requireExist(t *testing.T, objs bpfObjects) {
	t.Helper()
	for kind, ids := range objs {
		for id := range ids {
			if ok, err := bpfExists(kind, id); err != nil || !ok {
				t.Fatalf("BPF %s %d held by the running observer cannot be opened by ID (exists %v, %v)", kind, id, ok, err)
			}
		}
	}
}

// waitReleased waits until none of objs exists any more: the kernel frees
// them after an RCU grace period or from a workqueue, not at once.
func waitReleased(t *testing.T, objs bpfObjects) {
	t.Helper()
	for kind, ids := range objs {
		for id := range ids {
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				ok, err := bpfExists(kind, id)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("BPF %s %d still exists 10 s after the observer exited", kind, id)
				}
			}
		}
	}
}

func keys(ids map[uint32]bool) []uint32 {
	out := make([]uint32, 0, len(ids))
	for id := range ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
