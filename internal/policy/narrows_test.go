package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Check skips judging an end the change cannot narrow (policies are
// additive: a policy added to a pod that other, unchanged policies isolate
// already only allows more). These cases fail if that shortcut hides a
// blocked flow: a policy replaced by name, an Old that loses a rule or
// goes while another policy still isolates the pod, a pod isolated for the
// first time; and if it hides a failed connect of a selected pod.
func TestCheckSkipsOnlyEndsTheChangeCannotNarrow(t *testing.T) {
	apiEgress := makePolicy("shop", "api-egress", map[string]string{"app": "api"}, types(egr),
		egressRule(peers(nsPodPeer(map[string]string{MetadataNameLabel: "data"}, map[string]string{"app": "db"})), tcp(5432)))
	apiIngress := makePolicy("shop", "api-ingress", map[string]string{"app": "api"}, types(ing),
		ingressRule(peers(podPeer(map[string]string{"app": "web"})), tcp(8080)))
	apiDNS := makePolicy("shop", "api-dns", map[string]string{"app": "api"}, types(egr),
		egressRule(peers(nsPeer(map[string]string{MetadataNameLabel: "kube-system"})), udp(53)))
	deny := makePolicy("shop", "deny", map[string]string{"app": "api"}, types(ing, egr))
	emptied := makePolicy("shop", "api-egress", map[string]string{"app": "api"}, types(egr))
	all := []networkingv1.NetworkPolicy{apiEgress, apiIngress, apiDNS}
	tests := []struct {
		name   string
		before []networkingv1.NetworkPolicy
		change Change
		want   []int32 // ports of the findings
	}{
		{"a default deny of pods isolated both ways allows more", all, Change{Operation: Create, New: &deny}, nil},
		{"a default deny isolates ingress for the first time", []networkingv1.NetworkPolicy{apiEgress}, Change{Operation: Create, New: &deny}, []int32{8080}},
		{"a create that replaces a policy by name", all, Change{Operation: Create, New: &emptied}, []int32{5432}},
		{"an update drops the rule, another policy still isolates", all, Change{Operation: Update, Old: &all[0], New: &emptied}, []int32{5432}},
		{"a delete while another policy still isolates", all, Change{Operation: Delete, Old: &all[0]}, []int32{5432}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, web := mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, 5432), mkFlow(flow.Ingress, wl(webRef), corev1.ProtocolTCP, 8080)
			failed := mkFlow(flow.Egress, wl(webRef), corev1.ProtocolTCP, 9999)
			failed.Count, failed.Failed = 0, 1
			b := flow.Baseline{Workload: appRef, Flows: []flow.Flow{db, web, failed}}
			r := Check(CheckInput{Cluster: unitCluster(), Policies: tt.before, Change: tt.change, Baselines: []flow.Baseline{b}})
			var got, failing []int32
			for _, f := range r.Findings {
				got = append(got, f.Flow.Port)
			}
			for _, f := range r.Failing {
				failing = append(failing, f.Flow.Port)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings' ports (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int32{9999}, failing); diff != "" {
				t.Errorf("failing connects' ports (-want +got):\n%s", diff)
			}
		})
	}
}
