package annotator

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/time/rate"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// Recommender computes a workload's annotations (advice.Advisor has it).
type Recommender interface {
	Recommend(ctx context.Context, w policy.Workload, annotations map[string]string) (advice.Annotations, error)
}

// Options tune the controller. The zero value is usable.
type Options struct {
	// Resync is how often a Deployment is looked at again (default 5 min).
	Resync time.Duration
	// QPS and Burst limit the reconciles of all Deployments together
	// (default 5 per second, burst 20).
	QPS   float64
	Burst int
	// SkipNamespace is the product's own namespace, never annotated.
	SkipNamespace string
}

// Reconciler annotates one Deployment.
type Reconciler struct {
	Client      client.Client
	Recommender Recommender
	Options     Options
}

// SetupWithManager registers the controller.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	qps, burst := r.Options.QPS, r.Options.Burst
	if qps <= 0 {
		qps = 5
	}
	if burst <= 0 {
		burst = 20
	}
	limiter := workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, 5*time.Minute),
		&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(qps), burst)})
	return ctrl.NewControllerManagedBy(mgr).Named("netpol-advisor-annotator").
		For(&appsv1.Deployment{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		WithOptions(controller.Options{RateLimiter: limiter, MaxConcurrentReconciles: 1}).
		Complete(r)
}

func (r *Reconciler) resync() time.Duration {
	if r.Options.Resync > 0 {
		return r.Options.Resync
	}
	return 5 * time.Minute
}

// Reconcile implements reconcile.Reconciler.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if req.Namespace == r.Options.SkipNamespace {
		return reconcile.Result{}, nil
	}
	var dep appsv1.Deployment
	if err := r.Client.Get(ctx, req.NamespacedName, &dep); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !dep.DeletionTimestamp.IsZero() {
		return reconcile.Result{}, nil
	}
	w := inventory.FromTemplate(flow.WorkloadRef{Namespace: dep.Namespace, Kind: flow.KindDeployment, Name: dep.Name}, &dep.Spec.Template)
	ann, err := r.Recommender.Recommend(ctx, w, dep.Annotations)
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("recommend a policy for %s: %w", w.Ref, err)
	}
	if !ann.Current(dep.Annotations) {
		if err := r.patch(ctx, &dep, ann); err != nil {
			return reconcile.Result{}, err
		}
	}
	return reconcile.Result{RequeueAfter: r.resync()}, nil
}

// patch writes the two annotations with a JSON merge patch that names only
// them: other annotations and fields are not sent, so nothing another
// writer set is overwritten.
func (r *Reconciler) patch(ctx context.Context, dep *appsv1.Deployment, ann advice.Annotations) error {
	m, err := ann.Map()
	if err != nil {
		return err
	}
	values := map[string]any{advice.PolicyAnnotation: nil}
	for k, v := range m {
		values[k] = v
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": values}})
	if err != nil {
		return fmt.Errorf("encode annotation patch: %w", err)
	}
	err = r.Client.Patch(ctx, dep, client.RawPatch(client.Merge.Type(), patch))
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("annotate deployment %s/%s: %w", dep.Namespace, dep.Name, err)
	}
	return nil
}
