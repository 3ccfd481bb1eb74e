package policy

import (
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func recommend(cluster *Cluster, baseline flow.Baseline, adj Adjustments) (networkingv1.NetworkPolicy, error) {
	return networkingv1.NetworkPolicy{}, fmt.Errorf("recommend %s: not implemented yet", baseline.Workload)
}
