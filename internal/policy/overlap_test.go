package policy

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

var (
	cartRef    = flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "cart"}
	cleanupRef = flow.WorkloadRef{Namespace: "shop", Kind: flow.KindCronJob, Name: "cart-cleanup"}
)

// overlapCluster is issue 10 item 5: Deployment cart (app=cart) and a
// CronJob cart-cleanup whose pods carry app=cart,component=cleanup, plus
// api talking to cart.
func overlapCluster() *Cluster {
	c := unitCluster()
	c.Workloads[cartRef] = Workload{Ref: cartRef, Labels: map[string]string{"app": "cart", "pod-template-hash": "x"},
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "cart"}}, IPs: []netip.Addr{netip.MustParseAddr("198.18.1.5")}}
	c.Workloads[cleanupRef] = Workload{Ref: cleanupRef, Labels: map[string]string{"app": "cart", "component": "cleanup"},
		IPs: []netip.Addr{netip.MustParseAddr("198.18.1.6")}}
	return c
}

// Recommend leaves the CronJob's pods out of cart's podSelector (and out of
// api's rule for cart), so cart's policy isolates cart alone.
func TestRecommendLeavesOutAnotherWorkloadsPods(t *testing.T) {
	c := overlapCluster()
	ingress := mkFlow(flow.Ingress, wl(appRef), corev1.ProtocolTCP, 8080)
	ingress.Workload = cartRef
	r, err := RecommendDetailed(c, flow.Baseline{Workload: cartRef, Flows: []flow.Flow{ingress}}, Adjustments{})
	if err != nil {
		t.Fatal(err)
	}
	want := metav1.LabelSelector{MatchLabels: map[string]string{"app": "cart"},
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "component", Operator: metav1.LabelSelectorOpDoesNotExist}}}
	if diff := cmp.Diff(want, r.Policy.Spec.PodSelector); diff != "" {
		t.Errorf("podSelector (-want +got):\n%s", diff)
	}
	if len(r.AlsoSelects)+len(r.Warnings) != 0 {
		t.Errorf("also selects %v, warnings %v: want none", r.AlsoSelects, r.Warnings)
	}
	if got := Touched(c, Change{Operation: Create, New: &r.Policy}); !cmp.Equal(got, []flow.WorkloadRef{cartRef}) {
		t.Errorf("the recommended policy touches %v, want cart only", got)
	}

	api, err := Recommend(c, flow.Baseline{Workload: appRef, Flows: []flow.Flow{mkFlow(flow.Egress, wl(cartRef), corev1.ProtocolTCP, 8080)}}, Adjustments{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, api.Spec.Egress[0].To[0].PodSelector); diff != "" {
		t.Errorf("api's peer selector for cart (-want +got):\n%s", diff)
	}
}

// When the other workload differs only in a value of a label both carry,
// the workload's own label tells them apart; when nothing does, the
// recommendation says whom it isolates too.
func TestRecommendNarrowsOrWarns(t *testing.T) {
	tests := []struct {
		name         string
		cleanup      map[string]string
		wantSelector metav1.LabelSelector
		wantAlso     []flow.WorkloadRef
	}{
		{"by the workload's own label", map[string]string{"app": "cart", "tier": "batch"},
			metav1.LabelSelector{MatchLabels: map[string]string{"app": "cart", "tier": "web"}}, nil},
		{"nothing tells them apart", map[string]string{"app": "cart", "tier": "web"},
			metav1.LabelSelector{MatchLabels: map[string]string{"app": "cart"}}, []flow.WorkloadRef{cleanupRef}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := overlapCluster()
			cart := c.Workloads[cartRef]
			cart.Labels = map[string]string{"app": "cart", "tier": "web"}
			c.Workloads[cartRef] = cart
			cleanup := c.Workloads[cleanupRef]
			cleanup.Labels = tt.cleanup
			c.Workloads[cleanupRef] = cleanup
			r, err := RecommendDetailed(c, flow.Baseline{Workload: cartRef}, Adjustments{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantSelector, r.Policy.Spec.PodSelector); diff != "" {
				t.Errorf("podSelector (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAlso, r.AlsoSelects); diff != "" {
				t.Errorf("also selects (-want +got):\n%s", diff)
			}
			if (len(r.Warnings) > 0) != (len(tt.wantAlso) > 0) {
				t.Errorf("warnings = %q, want one exactly when it also selects others", r.Warnings)
			}
		})
	}
}

// Check finds what a policy meant for cart does to the CronJob whose pods
// it also selects: the CronJob is touched and its blocked flows are found.
func TestCheckFindsFlowsOfWorkloadsASelectorPicksUnintended(t *testing.T) {
	c := overlapCluster()
	naive := makePolicy("shop", "cart", map[string]string{"app": "cart"}, types(ing, egr))
	naive.Labels = map[string]string{ManagedByLabel: ManagedByValue}
	change := Change{Operation: Create, New: &naive}
	if diff := cmp.Diff([]flow.WorkloadRef{cleanupRef, cartRef}, Touched(c, change)); diff != "" {
		t.Errorf("Touched (-want +got):\n%s", diff)
	}
	purge := mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, 5432)
	purge.Workload = cleanupRef
	r := Check(CheckInput{Cluster: c, Change: change, Baselines: []flow.Baseline{{Workload: cleanupRef, Flows: []flow.Flow{purge}}}})
	if len(r.Findings) != 1 || r.Findings[0].Flow.Workload != cleanupRef {
		t.Errorf("findings = %+v, want cart-cleanup's egress to db", r.Findings)
	}
	if diff := cmp.Diff([]flow.WorkloadRef{cleanupRef}, r.AlsoIsolates); diff != "" {
		t.Errorf("also isolates (-want +got):\n%s", diff)
	}
}

// Recommended selectors, narrowed or not, select exactly the workload's
// pods and those of AlsoSelects, on random clusters of overlapping labels.
func TestRecommendedSelectorSelectsWhatItSays(t *testing.T) {
	keys := []string{"app", "component", "tier"}
	vals := []string{"a", "b"}
	narrowed, also := 0, 0
	for seed := range 300 {
		c := &Cluster{Workloads: map[flow.WorkloadRef]Workload{}}
		var refs []flow.WorkloadRef
		for i := range 4 {
			l := map[string]string{}
			for j, k := range keys {
				if (seed>>(i*3+j))%3 != 0 {
					l[k] = vals[(seed+i+j)%2]
				}
			}
			if len(l) == 0 {
				l["app"] = "a"
			}
			ref := flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: string(rune('p' + i))}
			c.Workloads[ref] = Workload{Ref: ref, Labels: l}
			refs = append(refs, ref)
		}
		for _, ref := range refs {
			r, err := RecommendDetailed(c, flow.Baseline{Workload: ref}, Adjustments{})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Policy.Spec.PodSelector.MatchExpressions) > 0 || len(r.Policy.Spec.PodSelector.MatchLabels) > len(c.Workloads[ref].SelectorLabels()) {
				narrowed++
			}
			if len(r.AlsoSelects) > 0 {
				also++
			}
			sel := newSelector(&r.Policy.Spec.PodSelector)
			want := map[flow.WorkloadRef]bool{ref: true}
			for _, o := range r.AlsoSelects {
				want[o] = true
			}
			for _, o := range refs {
				if got := sel.matches(labels.Set(c.Workloads[o].Labels)); got != want[o] {
					t.Fatalf("seed %d: selector %v of %s selects %s = %v, want %v (also selects %v)", seed, r.Policy.Spec.PodSelector, ref.Name, o.Name, got, want[o], r.AlsoSelects)
				}
			}
		}
	}
	if narrowed == 0 || also == 0 {
		t.Errorf("the clusters never needed narrowing (%d) or left an overlap (%d)", narrowed, also)
	}
}
