package webhook

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/clustercache"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/annotator"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
	"github.com/netpol-advisor/netpol-advisor/webhook/mutate"
	"github.com/netpol-advisor/netpol-advisor/webhook/validate"
	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// Options configure the webhooks. The zero value is usable.
type Options struct {
	// Namespace is the product's own namespace: the annotator skips it, as
	// the webhook configurations do (default netpol-advisor).
	Namespace string
	// Window is how far back baselines are read (0: all the store keeps).
	Window time.Duration
	// MaxWarnings caps the finding lines of a NetworkPolicy review
	// (default 10).
	MaxWarnings int
	// BaselineTTL is how long a baseline read serves later requests
	// (default 5 s; negative: read the store on every request).
	BaselineTTL time.Duration
	// AnnotateNamespaces, when set, selects the namespaces whose workloads
	// the mutating webhook and the annotator annotate (default: all but
	// the product's own).
	AnnotateNamespaces *metav1.LabelSelector
	// Annotator tunes the controller; NoAnnotator leaves it out.
	Annotator   annotator.Options
	NoAnnotator bool
}

// Deps are what the webhooks read.
type Deps struct {
	Baselines advice.Baselines
	// Inventory is the cluster inventory; nil makes one on mgr's cache
	// (clustercache.NewInventory). The server shares one with the mismatch
	// metrics.
	Inventory advice.Inventory
	// Metrics, when set, times and counts the reviews.
	Metrics *Metrics
}

// Setup registers both handlers on mgr's webhook server and the annotator
// controller with mgr. It returns the advisor they share.
func Setup(mgr manager.Manager, o Options, d Deps) (*advice.Advisor, error) {
	if d.Baselines == nil {
		return nil, errors.New("webhook setup: no baseline reader")
	}
	inv := d.Inventory
	if inv == nil {
		x, err := clustercache.NewInventory(mgr, inventory.Options{})
		if err != nil {
			return nil, fmt.Errorf("webhook setup: inventory: %w", err)
		}
		inv = x
	}
	ttl := o.BaselineTTL
	if ttl == 0 {
		ttl = 5 * time.Second
	}
	adv := &advice.Advisor{Baselines: d.Baselines, Inventory: inv, Window: o.Window, BaselineTTL: ttl}
	ns := cmp.Or(o.Namespace, "netpol-advisor")
	scope := workloads.Scope{Skip: ns, Selector: o.AnnotateNamespaces, Namespaces: mgr.GetClient(), Live: mgr.GetAPIReader()}
	srv := mgr.GetWebhookServer()
	srv.Register(config.MutatePath, hook("mutate", &mutate.Handler{Recommender: adv, Scope: scope}, d.Metrics))
	srv.Register(config.ValidatePath, hook("validate", &validate.Handler{Checker: d.Metrics.checker(adv), MaxWarnings: o.MaxWarnings}, d.Metrics))
	if o.NoAnnotator {
		return adv, nil
	}
	if o.Annotator.SkipNamespace == "" {
		o.Annotator.SkipNamespace = ns
	}
	if o.Annotator.Namespaces == nil {
		o.Annotator.Namespaces = o.AnnotateNamespaces
	}
	r := &annotator.Reconciler{Client: mgr.GetClient(), Recommender: adv, Options: o.Annotator}
	if err := r.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("webhook setup: annotator: %w", err)
	}
	return adv, nil
}

// hook serves h, answering a panic with an admission (and a warning)
// instead of dropping the connection. controller-runtime's own recovery
// answers allowed=false, which the API server treats as a denial whatever
// the failurePolicy: the webhooks must fail open. m, when set, times and
// counts the reviews of webhook name.
func hook(name string, h admission.Handler, m *Metrics) *admission.Webhook {
	return (&admission.Webhook{Handler: m.wrap(name, failOpen{h})}).WithRecoverPanic(true)
}

// failOpen admits the request when its handler panics.
type failOpen struct{ h admission.Handler }

func (f failOpen) Handle(ctx context.Context, req admission.Request) (resp admission.Response) {
	defer func() {
		if r := recover(); r != nil {
			log.FromContext(ctx).Error(fmt.Errorf("panic: %v", r), "webhook handler panicked; admitting the request unchecked")
			resp = admission.Allowed("").WithWarnings("netpol-advisor failed on this request and admitted it unchecked; see the server's log")
		}
	}()
	return f.h.Handle(ctx, req)
}
