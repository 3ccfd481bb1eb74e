package policy_test

import (
	"fmt"
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// A default deny of ingress isolates every pod of its namespace; traffic
// from elsewhere stays open.
func ExampleEvaluate() {
	deny := networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "deny"},
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}},
	}
	api := &policy.Pod{Namespace: "shop", Labels: map[string]string{"app": "api"}}
	web := &policy.Pod{Namespace: "shop", Labels: map[string]string{"app": "web"}}
	v := policy.Evaluate([]networkingv1.NetworkPolicy{deny}, nil, policy.Connection{
		Source:      policy.Endpoint{Pod: web, IP: netip.MustParseAddr("198.18.0.2")},
		Destination: policy.Endpoint{Pod: api, IP: netip.MustParseAddr("198.18.0.1")},
		Port:        8080,
	})
	fmt.Println(v.Allowed, v.Ingress.Isolating)
	// Output: false [shop/deny]
}

// Check warns about an egress deny that forgets DNS.
func ExampleCheck() {
	api := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	dns := flow.WorkloadRef{Namespace: "kube-system", Kind: flow.KindDeployment, Name: "coredns"}
	cluster := &policy.Cluster{Workloads: map[flow.WorkloadRef]policy.Workload{
		api: {Ref: api, Labels: map[string]string{"app": "api"}},
		dns: {Ref: dns, Labels: map[string]string{"k8s-app": "kube-dns"}},
	}}
	deny := networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
		},
	}
	seen := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	baseline := flow.Baseline{Workload: api, Flows: []flow.Flow{{
		Key: flow.Key{Workload: api, Direction: flow.Egress, Port: 53, Protocol: corev1.ProtocolUDP,
			Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: dns, Service: flow.ServiceRef{Namespace: "kube-system", Name: "kube-dns", Port: 53}}},
		Count: 12, FirstSeen: seen, LastSeen: seen,
	}}}
	change := policy.Change{Operation: policy.Create, New: &deny}
	report := policy.Check(policy.CheckInput{Cluster: cluster, Change: change, Baselines: []flow.Baseline{baseline}})
	for _, f := range report.Findings {
		fmt.Println(f.Class, "|", f)
	}
	// Output: DNS | egress to kube-system/kube-dns UDP 53 (DNS) is not allowed: add an egress rule to namespace kube-system pods k8s-app=kube-dns on UDP and TCP 53
}
