package apiserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/convert"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// recommendationReviews answers RecommendationReviews: a recommendation
// with adjustments that are not stored. Nothing is kept.
type recommendationReviews struct {
	rec       Recommender
	baselines Baselines
	now       func() time.Time
	window    time.Duration
}

var (
	_ rest.Creater              = (*recommendationReviews)(nil)
	_ rest.Scoper               = (*recommendationReviews)(nil)
	_ rest.SingularNameProvider = (*recommendationReviews)(nil)
)

func (r *recommendationReviews) New() runtime.Object     { return &v1alpha1.RecommendationReview{} }
func (r *recommendationReviews) Destroy()                {}
func (r *recommendationReviews) NamespaceScoped() bool   { return true }
func (r *recommendationReviews) GetSingularName() string { return "recommendationreview" }

// Create computes the recommendation the review asks for.
func (r *recommendationReviews) Create(ctx context.Context, obj runtime.Object, _ rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	rv := obj.(*v1alpha1.RecommendationReview)
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	ref, win, adj, err := r.parse(ns, rv.Spec)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	replace, err := replaceStored(rv.Spec.Mode)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	b, err := r.baselines.Baseline(ctx, ref, win)
	switch {
	case err == nil:
	case isNotFound(err):
		return nil, apierrors.NewNotFound(v1alpha1.Resource("baselines"), rv.Spec.Workload.Name)
	default:
		return nil, apierrors.NewServiceUnavailable(fmt.Sprintf("cannot read baselines now (%v); retry later", err))
	}
	np, notes, err := r.rec.RecommendBaseline(ctx, b, adj, replace)
	if err != nil {
		return nil, renderError(err)
	}
	np.TypeMeta = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}
	rv.Status = v1alpha1.Recommendation{Workload: convert.WorkloadRef(ref), Window: convert.Window(b.Window), Policy: np,
		Flows: int32(min(len(b.Flows), 1<<31-1)), Notes: notes}
	rv.Namespace = ns
	return rv, nil
}

func (r *recommendationReviews) parse(ns string, s v1alpha1.RecommendationReviewSpec) (flow.WorkloadRef, flow.Window, policy.Adjustments, error) {
	kind, ok := adjust.CanonicalKind(s.Workload.Kind)
	if !ok || s.Workload.Name == "" {
		return flow.WorkloadRef{}, flow.Window{}, policy.Adjustments{}, fmt.Errorf("spec.workload needs a kind (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) and a name, got %q/%q", s.Workload.Kind, s.Workload.Name)
	}
	ref := flow.WorkloadRef{Namespace: ns, Kind: kind, Name: s.Workload.Name}
	var win flow.Window
	switch {
	case s.Since != nil:
		win.From = s.Since.Time
	case s.Window != "":
		d, err := time.ParseDuration(s.Window)
		if err != nil || d <= 0 {
			return ref, win, policy.Adjustments{}, fmt.Errorf("spec.window %q: want a positive duration such as 3h", s.Window)
		}
		win.From = r.now().Add(-d)
	case r.window > 0:
		win.From = r.now().Add(-r.window)
	}
	adj, err := adjust.FromAPI(ns, s.Adjustments)
	return ref, win, adj, err
}

// replaceStored says whether a review's adjustments replace the stored
// ones (mode Replace) or are added to them (Add, or no mode).
func replaceStored(m v1alpha1.AdjustmentsMode) (bool, error) {
	switch m {
	case "", v1alpha1.AdjustmentsAdd:
		return false, nil
	case v1alpha1.AdjustmentsReplace:
		return true, nil
	}
	return false, fmt.Errorf("spec.mode %q: want %s (add to the stored adjustments, the default) or %s (instead of them)",
		m, v1alpha1.AdjustmentsAdd, v1alpha1.AdjustmentsReplace)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// policyChecks answers PolicyChecks with the webhook's own check.
type policyChecks struct{ checker Checker }

var _ rest.Creater = (*policyChecks)(nil)

func (p *policyChecks) New() runtime.Object     { return &v1alpha1.PolicyCheck{} }
func (p *policyChecks) Destroy()                {}
func (p *policyChecks) NamespaceScoped() bool   { return true }
func (p *policyChecks) GetSingularName() string { return "policycheck" }

// Create checks each policy of the spec on its own.
func (p *policyChecks) Create(ctx context.Context, obj runtime.Object, _ rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	pc := obj.(*v1alpha1.PolicyCheck)
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	pc.Namespace = ns
	pc.Status = v1alpha1.PolicyCheckStatus{Results: []v1alpha1.PolicyCheckResult{}}
	for i := range pc.Spec.Policies {
		np := &pc.Spec.Policies[i]
		if np.Namespace == "" {
			np.Namespace = ns
		}
		if np.Namespace != ns || np.Name == "" {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("spec.policies[%d] (%s/%s): every policy needs a name and the check's namespace %s",
				i, np.Namespace, np.Name, ns))
		}
		res, err := p.check(ctx, np)
		if err != nil {
			return nil, err
		}
		pc.Status.Blocks = pc.Status.Blocks || len(res.Findings) > 0
		pc.Status.Results = append(pc.Status.Results, res)
	}
	return pc, nil
}

func (p *policyChecks) check(ctx context.Context, np *networkingv1.NetworkPolicy) (v1alpha1.PolicyCheckResult, error) {
	rep, unused, learning, err := p.checker.CheckPolicy(ctx, np)
	if err != nil {
		return v1alpha1.PolicyCheckResult{}, apierrors.NewServiceUnavailable(fmt.Sprintf("cannot check %s now (%v); retry later", np.Name, err))
	}
	res := v1alpha1.PolicyCheckResult{Policy: np.Name, Findings: convert.Findings(rep.Findings), Excluded: convert.Findings(rep.Excluded),
		Unused: convert.Unused(unused)}
	for _, w := range learning {
		res.Learning = append(res.Learning, convert.WorkloadRef(w))
	}
	return res, nil
}
