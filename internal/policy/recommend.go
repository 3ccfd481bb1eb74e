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
func Recommend(cluster *Cluster, baseline flow.Baseline, adj Adjustments) (networkingv1.NetworkPolicy, error) {
	return recommend(cluster, baseline, adj)
}
