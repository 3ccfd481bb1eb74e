package advice

import (
	"context"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/convert"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// RecommendBaseline recommends a policy for b's workload with the
// adjustments stored on it plus adj (the CLI's, not saved), or with adj
// alone when replace is set (the page's complete proposal, which may undo
// a stored decision before it is saved), for readers of the aggregated
// API. A workload the core cannot recommend for (host network, no stable
// labels, gone from the cluster) gets an empty policy and a note saying
// why rather than an error, so one such workload does not fail a
// namespace's list.
func (a *Advisor) RecommendBaseline(ctx context.Context, b flow.Baseline, adj policy.Adjustments, replace bool) (networkingv1.NetworkPolicy, []string, error) {
	snap, err := a.Inventory.Snapshot(ctx)
	if err != nil {
		return networkingv1.NetworkPolicy{}, nil, fmt.Errorf("cluster snapshot: %w", err)
	}
	var notes []string
	if !replace {
		if reason, bad := snap.Invalid[b.Workload]; bad {
			notes = append(notes, "stored adjustments ignored: "+reason)
		}
		adj = adjust.Merge(snap.Adjustments[b.Workload], adj)
	}
	np, err := policy.Recommend(snap.Cluster, b, adj)
	if err != nil {
		return networkingv1.NetworkPolicy{}, append(notes, "no recommendation: "+err.Error()), nil
	}
	return np, notes, nil
}

// CheckPolicy is what np would block if it were applied now (replacing the
// policy of its name): the webhook's check, for the aggregated API.
func (a *Advisor) CheckPolicy(ctx context.Context, np *networkingv1.NetworkPolicy) (policy.Report, []policy.UnusedRule, []flow.WorkloadRef, error) {
	got, err := a.Check(ctx, policy.Change{Operation: policy.Create, New: np})
	if err != nil {
		return policy.Report{}, nil, nil, err
	}
	return got.Report, got.Unused, got.Learning, nil
}

// Explain evaluates one connection under the policies in force: from a
// workload to a workload (to set) or to an address (toIP).
func (a *Advisor) Explain(ctx context.Context, from, to flow.WorkloadRef, toIP netip.Addr, port int32, proto corev1.Protocol) (policy.Verdict, error) {
	snap, err := a.Inventory.Snapshot(ctx)
	if err != nil {
		return policy.Verdict{}, fmt.Errorf("cluster snapshot: %w", err)
	}
	src, ok := snap.Cluster.Workloads[from]
	if !ok {
		return policy.Verdict{}, fmt.Errorf("%s: %w", from, policy.ErrUnknownWorkload)
	}
	conn := policy.Connection{Source: src.Endpoint(), Destination: policy.Endpoint{IP: toIP}, Port: port, Protocol: proto}
	if !to.IsZero() {
		dst, ok := snap.Cluster.Workloads[to]
		if !ok {
			return policy.Verdict{}, fmt.Errorf("%s: %w", to, policy.ErrUnknownWorkload)
		}
		conn.Destination = dst.Endpoint()
	}
	return policy.Evaluate(snap.Policies, snap.Cluster.Namespaces, conn), nil
}

// BaselineContext is what a check needs to judge b's flows without the
// cluster: the labels of the workload, of its workload peers and of their
// namespaces, and the workload's stored adjustments.
func (a *Advisor) BaselineContext(ctx context.Context, b flow.Baseline) (v1alpha1.BaselineContext, error) {
	snap, err := a.Inventory.Snapshot(ctx)
	if err != nil {
		return v1alpha1.BaselineContext{}, fmt.Errorf("cluster snapshot: %w", err)
	}
	out := v1alpha1.BaselineContext{Labels: snap.Cluster.Workloads[b.Workload].Labels, Namespaces: map[string]map[string]string{},
		Peers: map[string]map[string]string{}, Adjustments: convert.Adjustments(snap.Adjustments[b.Workload])}
	addNS := func(ns string) {
		if labels, ok := snap.Cluster.Namespaces[ns]; ok {
			out.Namespaces[ns] = labels
		}
	}
	addNS(b.Workload.Namespace)
	for _, f := range b.Flows {
		if f.Peer.Kind != flow.PeerWorkload {
			continue
		}
		if w, ok := snap.Cluster.Workloads[f.Peer.Workload]; ok {
			out.Peers[convert.PeerKey(f.Peer.Workload)] = w.Labels
		}
		addNS(f.Peer.Workload.Namespace)
	}
	return out, nil
}
