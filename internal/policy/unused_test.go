package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func TestUnusedRules(t *testing.T) {
	f, c := loadStory(t)
	hand := readPolicy(t, "story/handwritten.yaml")
	fixed := readPolicy(t, "story/fixed.yaml")
	wide := hand.DeepCopy()
	https := intstr.FromInt32(443)
	wide.Spec.Egress = append(wide.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}},
		Ports: []networkingv1.NetworkPolicyPort{{Port: &https}}})
	wide.Spec.Ingress = append(wide.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{})
	tests := []struct {
		name string
		np   *networkingv1.NetworkPolicy
		want []UnusedRule
	}{
		{"every rule of the hand-written policy is used", &hand, nil},
		{"every rule of the fixed policy is used", &fixed, nil},
		{"a rule to anywhere on 443 allows nothing seen (an allow-all ingress still allows jclient)", wide, []UnusedRule{
			{Policy: "example-java-app/javaapp", Direction: networkingv1.PolicyTypeEgress, Rule: len(hand.Spec.Egress),
				Message: "spec.egress[2] allows traffic no observed flow needs: narrow or drop it"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unused(CheckInput{Cluster: c, Change: Change{Operation: Create, New: tt.np}, Baselines: []flow.Baseline{f.Baseline}})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unused (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnusedMatchesBruteForce compares Unused, which skips the flows whose
// ends the new policy cannot select, with Evaluate under the new policy
// alone on every connection of every flow: a rule is used when some
// connection with traffic is allowed by it.
func TestUnusedMatchesBruteForce(t *testing.T) {
	w := newRandomWorld()
	c, baselines := w.cluster()
	r := rand.New(rand.NewPCG(7, 8))
	var all []flow.Baseline
	for _, b := range baselines {
		all = append(all, b)
	}
	cases, unused := 0, 0
	for i := 0; cases < 200; i++ {
		before := w.policies(r)
		change := randomChange(r, w, before)
		if change.New == nil {
			continue
		}
		cases++
		// Some workloads' baselines only: their flows to the others are
		// then seen from one end, as the webhook's inbound flows are.
		some := slices.DeleteFunc(slices.Clone(all), func(flow.Baseline) bool { return r.IntN(2) == 0 })
		used := map[string]bool{}
		for _, b := range some {
			for _, f := range b.Flows {
				if f.Count == 0 {
					continue // failed connects are not traffic
				}
				for _, conn := range allConnections(c, f) {
					v := Evaluate([]networkingv1.NetworkPolicy{*change.New}, c.Namespaces, conn)
					for _, ref := range v.Egress.AllowedBy {
						used[fmt.Sprintf("egress %d", ref.Rule)] = true
					}
					for _, ref := range v.Ingress.AllowedBy {
						used[fmt.Sprintf("ingress %d", ref.Rule)] = true
					}
				}
			}
		}
		var want []string
		for dir, n := range map[string]int{"ingress": len(change.New.Spec.Ingress), "egress": len(change.New.Spec.Egress)} {
			for rule := range n {
				if key := fmt.Sprintf("%s %d", dir, rule); !used[key] {
					want = append(want, key)
				}
			}
		}
		var got []string
		for _, u := range Unused(CheckInput{Cluster: c, Policies: before, Change: change, Baselines: some}) {
			got = append(got, fmt.Sprintf("%s %d", lower(u.Direction), u.Rule))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Fatalf("case %d: unused rules: got %v, brute force %v\npolicy: %s", i, got, want, toYAML(t, change.New))
		}
		unused += len(want)
	}
	if unused == 0 {
		t.Fatal("no case had an unused rule: the random worlds test nothing")
	}
}

// Replicas with one label set judge alike, unless an ipBlock tells their
// addresses apart: a rule allowing only the second replica is used.
func TestUnusedJudgesEachReplicaAgainstIPBlocks(t *testing.T) {
	client := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "client"}
	server := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "server"}
	l := map[string]string{"app": "client"}
	c := &Cluster{Namespaces: map[string]map[string]string{"shop": {}}, Workloads: map[flow.WorkloadRef]Workload{
		client: {Ref: client, Labels: l, Pods: []PodInfo{{Labels: l, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.1")}},
			{Labels: l, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.2")}}}},
		server: {Ref: server, Labels: map[string]string{"app": "server"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.9")}},
	}}
	in := flow.Baseline{Workload: server, Flows: []flow.Flow{{Key: flow.Key{Workload: server, Direction: flow.Ingress,
		Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: client}, Port: 8080, Protocol: "TCP"}, Count: 1}}}
	np := makePolicy("shop", "second-only", map[string]string{"app": "server"}, types(ing))
	np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
		{IPBlock: &networkingv1.IPBlock{CIDR: "198.18.0.2/32"}}}}}
	if got := Unused(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &np}, Baselines: []flow.Baseline{in}}); len(got) != 0 {
		t.Errorf("unused = %+v, want none: the second replica's connections use the rule", got)
	}
}
