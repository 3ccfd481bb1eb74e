package apiserver

import (
	"context"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/convert"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// Recommender computes a workload's recommended policy from its baseline,
// with the adjustments stored on the workload plus adj, or adj alone when
// replace is set; notes say what it left out.
type Recommender interface {
	RecommendBaseline(ctx context.Context, b flow.Baseline, adj policy.Adjustments, replace bool) (np networkingv1.NetworkPolicy, notes []string, err error)
}

// Checker says what a NetworkPolicy would block if applied now, which of
// its rules no observed flow needs, and which workloads it selects have no
// baseline yet.
type Checker interface {
	CheckPolicy(ctx context.Context, np *networkingv1.NetworkPolicy) (policy.Report, []policy.UnusedRule, []flow.WorkloadRef, error)
}

// Describer gives the context a check needs to judge a baseline without
// the cluster (labels, stored adjustments), exported with it.
type Describer interface {
	BaselineContext(ctx context.Context, b flow.Baseline) (v1alpha1.BaselineContext, error)
}

func baselinesView(base view, d Describer) *view {
	v := base
	v.resource, v.singular, v.kind = "baselines", "baseline", "Baseline"
	v.newObj = func() runtime.Object { return &v1alpha1.Baseline{} }
	v.newList = func() runtime.Object { return &v1alpha1.BaselineList{} }
	v.render = func(ctx context.Context, name string, b flow.Baseline) (runtime.Object, error) {
		out := baseline(name, b)
		if d != nil {
			c, err := d.BaselineContext(ctx, b)
			if err != nil {
				return nil, err
			}
			out.Context = &c
		}
		return out, nil
	}
	v.table = tableFormat{
		columns: []metav1.TableColumnDefinition{
			column("Kind", "string", "the kind of the workload's owner"),
			column("Ingress", "integer", "observed incoming edges"),
			column("Egress", "integer", "observed outgoing edges"),
			column("External", "integer", "edges to addresses outside the cluster"),
			column("Failed", "integer", "connection attempts that never established"),
			column("Last-Seen", "string", "when the workload was last seen talking"),
		},
		cells: func(o runtime.Object) []any {
			b := o.(*v1alpha1.Baseline)
			var ext, failed int64
			var last time.Time
			for _, f := range append(append([]v1alpha1.Flow{}, b.Ingress...), b.Egress...) {
				if !f.Peer.Resolved {
					ext++
				}
				failed += f.Failed
				if f.LastSeen.After(last) {
					last = f.LastSeen.Time
				}
			}
			return []any{b.Workload.Kind, int64(len(b.Ingress)), int64(len(b.Egress)), ext, failed, ago(last, v.now())}
		},
	}
	return &v
}

func topologiesView(base view) *view {
	v := base
	v.resource, v.singular, v.kind = "topologies", "topology", "Topology"
	v.newObj = func() runtime.Object { return &v1alpha1.Topology{} }
	v.newList = func() runtime.Object { return &v1alpha1.TopologyList{} }
	v.render = func(_ context.Context, name string, b flow.Baseline) (runtime.Object, error) {
		return topology(name, b), nil
	}
	v.table = tableFormat{
		columns: []metav1.TableColumnDefinition{
			column("Kind", "string", "the kind of the workload's owner"),
			column("Nodes", "integer", "the workload and its peers"),
			column("Edges", "integer", "connections by direction, peer, port and protocol"),
		},
		cells: func(o runtime.Object) []any {
			t := o.(*v1alpha1.Topology)
			return []any{t.Workload.Kind, int64(len(t.Nodes)), int64(len(t.Edges))}
		},
	}
	return &v
}

func recommendationsView(base view, rec Recommender) *view {
	v := base
	v.resource, v.singular, v.kind = "recommendations", "recommendation", "Recommendation"
	v.newObj = func() runtime.Object { return &v1alpha1.Recommendation{} }
	v.newList = func() runtime.Object { return &v1alpha1.RecommendationList{} }
	v.render = func(ctx context.Context, name string, b flow.Baseline) (runtime.Object, error) {
		np, notes, err := rec.RecommendBaseline(ctx, b, policy.Adjustments{}, false)
		if err != nil {
			return nil, err
		}
		np.TypeMeta = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}
		return &v1alpha1.Recommendation{ObjectMeta: objectMeta(name, b.Workload, b.Window.From), Workload: convert.WorkloadRef(b.Workload),
			Window: convert.Window(b.Window), Policy: np, Flows: int32(min(len(b.Flows), 1<<31-1)), Notes: notes}, nil
	}
	v.table = tableFormat{
		columns: []metav1.TableColumnDefinition{
			column("Kind", "string", "the kind of the workload's owner"),
			column("Policy", "string", "the recommended NetworkPolicy's name"),
			column("Ingress-Rules", "integer", "ingress rules of the recommendation"),
			column("Egress-Rules", "integer", "egress rules of the recommendation"),
			column("Flows", "integer", "observed flows it covers"),
		},
		cells: func(o runtime.Object) []any {
			r := o.(*v1alpha1.Recommendation)
			return []any{r.Workload.Kind, r.Policy.Name, int64(len(r.Policy.Spec.Ingress)), int64(len(r.Policy.Spec.Egress)), int64(r.Flows)}
		},
	}
	return &v
}
