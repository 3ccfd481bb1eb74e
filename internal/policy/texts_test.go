package policy

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// With TextLimit, Check reports what it reports without, but for the texts
// of the findings past the limit: on namespace-wide default denies of the
// synthetic cluster (hundreds of findings: external, peer and peer-side
// ones, mirrors dropped) and on random changes of the random world
// (partial outcomes, host-network and unresolved peers, excluded ones).
func TestTextLimitWritesTheFirstFindingsAsWithout(t *testing.T) {
	s := newSynthetic(200, 20, 50)
	x := NewPeerIndex(s.baselines)
	var inputs []CheckInput
	for i := range 6 {
		in := s.proposal(i, true)
		in.Policies = s.policiesWithout(in.Change.New.Namespace)
		in.Baselines = s.narrowed(x, in)
		inputs = append(inputs, in)
	}
	w := newRandomWorld()
	r := rand.New(rand.NewPCG(17, 1))
	c, baselines := w.replicatedCluster(r) // replicas that ipBlocks split, a host-network workload
	for range 100 {
		before := w.policies(r)
		change := randomChange(r, w, before)
		inputs = append(inputs, CheckInput{Cluster: c, Policies: before, Change: change, Baselines: baselines})
	}
	compared, partial := 0, 0
	for i, in := range inputs {
		want := Check(in)
		for _, limit := range []int{1, 10, len(want.Findings)} {
			in.TextLimit = limit
			got := Check(in)
			if diff := cmp.Diff(withTexts(want, limit), got, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Fatalf("input %d, limit %d: report (-all texts, cut +limited):\n%s", i, limit, diff)
			}
			compared += min(limit, len(want.Findings))
		}
		for _, fd := range want.Findings {
			if fd.Partial {
				partial++
			}
		}
	}
	if compared < 1000 || partial == 0 {
		t.Fatalf("%d findings compared, %d partial: the inputs find too little", compared, partial)
	}
}

// withTexts is r with the texts of the findings past limit removed.
func withTexts(r Report, limit int) Report {
	r.Findings = append([]Finding(nil), r.Findings...)
	for i := limit; i < len(r.Findings); i++ {
		r.Findings[i].Message, r.Findings[i].Fix = "", ""
	}
	return r
}
