package policy

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Check over the touched workloads' baselines and the index's inbound
// flows reports what Check over every baseline reports.
func TestPeerIndexGivesCheckWhatItNeeds(t *testing.T) {
	w := newRandomWorld()
	r := rand.New(rand.NewPCG(9, 10))
	c, all := w.replicatedCluster(r)
	x := NewPeerIndex(all)
	byRef := map[flow.WorkloadRef]flow.Baseline{}
	for _, b := range all {
		byRef[b.Workload] = b
	}
	for i := range 100 {
		before := w.policies(r)
		change := randomChange(r, w, before)
		touched := Touched(c, change)
		var narrowed []flow.Baseline
		for _, ref := range touched {
			if b, ok := byRef[ref]; ok {
				narrowed = append(narrowed, b)
			}
		}
		narrowed = append(narrowed, x.Inbound(touched)...)
		want := Check(CheckInput{Cluster: c, Policies: before, Change: change, Baselines: all})
		got := Check(CheckInput{Cluster: c, Policies: before, Change: change, Baselines: narrowed})
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Fatalf("case %d: narrowed report (-all baselines +narrowed):\n%s", i, diff)
		}
	}
}
