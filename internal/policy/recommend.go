package policy

import (
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Recommend returns one minimal, deterministic NetworkPolicy for the
// baseline's workload: an ingress and egress rule per observed peer (merged
// by port set), DNS egress to the cluster DNS pods on UDP and TCP 53,
// API-server egress by endpoint IP and port, external addresses only inside
// a CIDR the adjustments allow, and no rule for an excluded peer. Both
// policyTypes are always written, so a direction with no observed flow is
// denied. It fails when the workload is not in the cluster snapshot
// (ErrUnknownWorkload), uses the host network (ErrHostNetwork) or its pods
// have no stable label (ErrNoStableLabels). Pods, its own and its peers',
// are selected by Workload.SelectorLabels.
//
// When the workload's labels also select another workload's pods (a
// Deployment app=cart and a CronJob whose pods carry app=cart,
// component=cleanup), the podSelector is narrowed to leave them out: a key
// their pods carry must be absent, or more of the workload's own labels
// must match. RecommendDetailed says what could not be avoided.
func Recommend(cluster *Cluster, baseline flow.Baseline, adj Adjustments) (networkingv1.NetworkPolicy, error) {
	r, err := recommend(cluster, baseline, adj)
	return r.Policy, err
}

// Recommendation is a recommended policy and what it could not avoid.
type Recommendation struct {
	Policy networkingv1.NetworkPolicy `json:"policy"`
	// AlsoSelects lists the other workloads whose pods the podSelector
	// still selects because no label tells them apart: the policy isolates
	// them too.
	AlsoSelects []flow.WorkloadRef `json:"alsoSelects,omitempty"`
	// Warnings say it in words, and name the peer rules that also match
	// another workload's pods.
	Warnings []string `json:"warnings,omitempty"`
}

// RecommendDetailed is Recommend with what the recommendation could not
// avoid.
func RecommendDetailed(cluster *Cluster, baseline flow.Baseline, adj Adjustments) (Recommendation, error) {
	return recommend(cluster, baseline, adj)
}
