package policy

import (
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
