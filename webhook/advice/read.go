package advice

import (
	"context"
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// RecommendBaseline recommends a policy for b's workload with the
// adjustments stored on it, for readers of the aggregated API and the CLI.
// A workload the core cannot recommend for (host network, no stable labels,
// gone from the cluster) gets an empty policy and a note saying why rather
// than an error, so one such workload does not fail a namespace's list.
func (a *Advisor) RecommendBaseline(ctx context.Context, b flow.Baseline) (networkingv1.NetworkPolicy, []string, error) {
	snap, err := a.Inventory.Snapshot(ctx)
	if err != nil {
		return networkingv1.NetworkPolicy{}, nil, fmt.Errorf("cluster snapshot: %w", err)
	}
	var notes []string
	if reason, bad := snap.Invalid[b.Workload]; bad {
		notes = append(notes, "adjustments ignored: "+reason)
	}
	np, err := policy.Recommend(snap.Cluster, b, snap.Adjustments[b.Workload])
	if err != nil {
		return networkingv1.NetworkPolicy{}, append(notes, "no recommendation: "+err.Error()), nil
	}
	return np, notes, nil
}
