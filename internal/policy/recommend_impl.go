package policy

import (
	"encoding/json"
	"errors"
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Errors of Recommend, to test with errors.Is.
var (
	// ErrUnknownWorkload: the workload is not in the cluster snapshot.
	ErrUnknownWorkload = errors.New("workload not in the cluster snapshot")
	// ErrNoStableLabels: the workload's pods carry no label but churning
	// ones, so no podSelector can pick them without picking the whole
	// namespace.
	ErrNoStableLabels = errors.New("pods carry no stable label to select them by: label the pod template")
	// ErrHostNetwork: NetworkPolicies never apply to host-network pods.
	ErrHostNetwork = errors.New("host-network pods are not subject to NetworkPolicies")
	// ErrNoCluster: Recommend was given no cluster snapshot.
	ErrNoCluster = errors.New("no cluster snapshot: the inventory has not been built yet")
)

// Labels and annotations of recommended policies.
const (
	ManagedByLabel    = "app.kubernetes.io/managed-by"
	ManagedByValue    = "netpol-advisor"
	AliasesAnnotation = "netpol-advisor.io/aliases"
)

func recommend(c *Cluster, b flow.Baseline, adj Adjustments) (networkingv1.NetworkPolicy, error) {
	if c == nil {
		return networkingv1.NetworkPolicy{}, fmt.Errorf("recommend a policy for %s: %w", b.Workload, ErrNoCluster)
	}
	w, ok := c.Workloads[b.Workload]
	if !ok {
		return networkingv1.NetworkPolicy{}, fmt.Errorf("recommend a policy for %s: %w", b.Workload, ErrUnknownWorkload)
	}
	if w.HostNetwork {
		return networkingv1.NetworkPolicy{}, fmt.Errorf("recommend a policy for %s: %w", b.Workload, ErrHostNetwork)
	}
	if len(w.SelectorLabels()) == 0 {
		return networkingv1.NetworkPolicy{}, fmt.Errorf("recommend a policy for %s: %w", b.Workload, ErrNoStableLabels)
	}
	in, out := ruleSet{}, ruleSet{}
	aliases := map[string]string{}
	for _, f := range b.Flows {
		if f.Count == 0 || adj.Excludes(f.Peer) {
			continue // a failed connect is evidence of a block, never traffic to allow
		}
		ts, ok := targetsFor(c, b.Workload, f, adj)
		if !ok {
			continue
		}
		if a, ok := adj.allowFor(f.Peer.IP); ok && f.Peer.Kind == flow.PeerExternal && a.Alias != "" {
			aliases[a.CIDR.Masked().String()] = a.Alias
		}
		rs := out
		if f.Direction == flow.Ingress {
			rs = in
		}
		for _, t := range ts {
			rs.add(t, f.Protocol, f.Port)
		}
	}
	return buildPolicy(w, in, out, aliases), nil
}

func buildPolicy(w Workload, in, out ruleSet, aliases map[string]string) networkingv1.NetworkPolicy {
	np := networkingv1.NetworkPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Namespace: w.Ref.Namespace,
			Name:      w.Ref.Name,
			Labels:    map[string]string{ManagedByLabel: ManagedByValue},
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: w.SelectorLabels()},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{},
			Egress:      []networkingv1.NetworkPolicyEgressRule{},
		},
	}
	if len(aliases) > 0 {
		js, _ := json.Marshal(aliases) // a map of strings always marshals, keys sorted
		np.Annotations = map[string]string{AliasesAnnotation: string(js)}
	}
	for _, g := range in.groups() {
		np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: g.peers(), Ports: g.policyPorts()})
	}
	for _, g := range out.groups() {
		np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: g.peers(), Ports: g.policyPorts()})
	}
	return np
}
