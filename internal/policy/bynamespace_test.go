package policy

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// A cluster whose ByNamespace an adapter set (GroupWorkloads) gets the
// same advice, fixes and recommendations included, as one Check groups
// itself: on random clusters of overlapping labels in two namespaces,
// whose fixes need selections narrowed against the other workloads.
func TestGroupedWorkloadsGiveTheSameAdvice(t *testing.T) {
	keys, vals := []string{"app", "component", "tier"}, []string{"a", "b"}
	narrowed, addrs := 0, cmpopts.EquateComparable(netip.Addr{})
	for seed := range 200 {
		c := &Cluster{Namespaces: map[string]map[string]string{}, Workloads: map[flow.WorkloadRef]Workload{}}
		var refs []flow.WorkloadRef
		for i := range 8 {
			l := map[string]string{}
			for j, k := range keys {
				if (seed>>(i%4*3+j))%3 != 0 {
					l[k] = vals[(seed+i+j)%2]
				}
			}
			if len(l) == 0 {
				l["app"] = "a"
			}
			ref := flow.WorkloadRef{Namespace: []string{"ns", "other"}[i%2], Kind: flow.KindDeployment, Name: fmt.Sprintf("w%d", i)}
			c.Workloads[ref] = Workload{Ref: ref, Labels: l, IPs: []netip.Addr{netip.AddrFrom4([4]byte{198, 18, 7, byte(i + 1)})}}
			refs = append(refs, ref)
		}
		baselines := groupingBaselines(refs)
		grouped := *c
		grouped.GroupWorkloads()
		deny := makePolicy("ns", "deny", map[string]string{}, types(ing, egr))
		in := CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny}, Baselines: baselines}
		want := Check(in)
		in.Cluster = &grouped
		if diff := cmp.Diff(want, Check(in), addrs); diff != "" {
			t.Fatalf("seed %d: Check with ByNamespace set (-grouped by Check +by the adapter):\n%s", seed, diff)
		}
		picky := makePolicy("other", "picky", map[string]string{"app": "a"}, types(ing))
		for _, ch := range []Change{in.Change, {Operation: Update, Old: &picky, New: &picky}, {Operation: Delete, Old: &picky}} {
			all, byNS := Touched(c, ch), Touched(&grouped, ch)
			if diff := cmp.Diff(all, byNS); diff != "" || len(all) == 0 && ch.New == &deny {
				t.Fatalf("seed %d: Touched with ByNamespace set (-without +with):\n%s", seed, diff)
			}
		}
		for _, fd := range want.Findings {
			if strings.Contains(fd.Fix, "!") {
				narrowed++
			}
		}
		for _, b := range baselines {
			r1, err1 := RecommendDetailed(c, b, Adjustments{})
			r2, err2 := RecommendDetailed(&grouped, b, Adjustments{})
			if diff := cmp.Diff(r1, r2, addrs); diff != "" || (err1 == nil) != (err2 == nil) {
				t.Fatalf("seed %d: Recommend of %s with ByNamespace set (-without +with), errors %v, %v:\n%s", seed, b.Workload, err1, err2, diff)
			}
		}
	}
	if narrowed == 0 {
		t.Error("no fix needed a selection narrowed against another workload: the clusters test nothing")
	}
}

// groupingBaselines: each workload talks to every other on TCP 8080.
func groupingBaselines(refs []flow.WorkloadRef) []flow.Baseline {
	var out []flow.Baseline
	for _, self := range refs {
		b := flow.Baseline{Workload: self}
		for _, peer := range refs {
			if peer != self {
				for _, dir := range []flow.Direction{flow.Egress, flow.Ingress} {
					b.Flows = append(b.Flows, flow.Flow{Key: flow.Key{Workload: self, Direction: dir, Peer: wl(peer), Port: 8080, Protocol: corev1.ProtocolTCP}, Count: 1})
				}
			}
		}
		out = append(out, b)
	}
	return out
}
