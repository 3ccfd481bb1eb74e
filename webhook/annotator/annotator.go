package annotator

import (
	"context"
	"strings"
	"time"

	"golang.org/x/time/rate"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// FieldManager is the annotator's own field manager.
const FieldManager = "netpol-advisor-annotator"

// Recommender computes a workload's annotations (advice.Advisor has it).
type Recommender interface {
	Recommend(ctx context.Context, w policy.Workload, annotations map[string]string) (advice.Annotations, error)
}

// Options tune the controller. The zero value is usable.
type Options struct {
	// Resync is how often a workload is looked at again (default 5 min).
	Resync time.Duration
	// QPS and Burst limit the annotator's writes, of all kinds together
	// (default 5 per second, burst 20).
	QPS   float64
	Burst int
	// SkipNamespace is the product's own namespace, never annotated.
	SkipNamespace string
	// Namespaces, when set, selects the namespaces whose workloads are
	// annotated (default: all).
	Namespaces *metav1.LabelSelector
	// FieldManager names the annotator's writes (default FieldManager).
	FieldManager string
	// Trigger, when set, enqueues workloads as their first flows, and
	// later their new edges, are stored (the server wraps its store writer
	// with it); new edges at most at QPS, with Burst.
	Trigger *Trigger
}

// Reconciler annotates the workloads of every kind.
type Reconciler struct {
	Client      client.Client
	Recommender Recommender
	Options     Options

	writes *rate.Limiter
	scope  workloads.Scope
}

// SetupWithManager registers one controller per workload kind; their
// writes share one rate limit.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	qps, burst := r.Options.QPS, r.Options.Burst
	if qps <= 0 {
		qps = 5
	}
	if burst <= 0 {
		burst = 20
	}
	r.writes = rate.NewLimiter(rate.Limit(qps), burst)
	if r.Options.Trigger != nil {
		r.Options.Trigger.setLimit(qps, burst)
	}
	r.scope = workloads.Scope{Skip: r.Options.SkipNamespace, Selector: r.Options.Namespaces, Namespaces: r.Client}
	for _, k := range workloads.All {
		if err := r.setupKind(mgr, k); err != nil {
			return err
		}
	}
	return nil
}

// retries backs off a failing workload; it limits retries, not writes.
func retries() workqueue.TypedRateLimiter[reconcile.Request] {
	return workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, 5*time.Minute)
}

func (r *Reconciler) resync() time.Duration {
	if r.Options.Resync > 0 {
		return r.Options.Resync
	}
	return 5 * time.Minute
}

func (r *Reconciler) fieldManager() string {
	if r.Options.FieldManager != "" {
		return r.Options.FieldManager
	}
	return FieldManager
}

func controllerName(k workloads.Kind) string {
	return "netpol-advisor-annotator-" + strings.ToLower(string(k.Kind))
}
