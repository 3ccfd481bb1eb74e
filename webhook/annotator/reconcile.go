package annotator

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// kindReconciler annotates the workloads of one kind.
type kindReconciler struct {
	*Reconciler
	kind workloads.Kind
}

func (r *Reconciler) setupKind(mgr ctrl.Manager, k workloads.Kind) error {
	kr := &kindReconciler{Reconciler: r, kind: k}
	top := predicate.NewPredicateFuncs(func(o client.Object) bool { return workloads.IsTop(o) })
	changed := predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, predicate.LabelChangedPredicate{})
	b := ctrl.NewControllerManagedBy(mgr).Named(controllerName(k)).
		For(k.New(), builder.WithPredicates(top, changed)).
		Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(kr.inNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		WithOptions(controller.Options{RateLimiter: retries(), MaxConcurrentReconciles: 1})
	if t := r.Options.Trigger; t != nil {
		b = b.WatchesRawSource(source.Channel(t.channel(k.Kind), &handler.EnqueueRequestForObject{}))
	}
	err := b.Complete(kr)
	if err != nil {
		return fmt.Errorf("annotator for %s: %w", k.Kind, err)
	}
	return nil
}

// inNamespace lists the workloads of the kind in a namespace whose labels
// changed: it may have come into the annotation scope.
func (r *kindReconciler) inNamespace(ctx context.Context, ns client.Object) []reconcile.Request {
	list := r.kind.NewList()
	if err := r.Client.List(ctx, list, client.InNamespace(ns.GetName())); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list workloads of a relabelled namespace", "namespace", ns.GetName(), "kind", r.kind.Kind)
		return nil
	}
	var out []reconcile.Request
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		if obj, ok := o.(client.Object); ok && workloads.IsTop(obj) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
		}
		return nil
	})
	return out
}

// Reconcile implements reconcile.Reconciler.
func (r *kindReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if in, err := r.scope.Includes(ctx, req.Namespace); err != nil || !in {
		return reconcile.Result{}, err
	}
	obj := r.kind.New()
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if !obj.GetDeletionTimestamp().IsZero() || !workloads.IsTop(obj) {
		return reconcile.Result{}, nil
	}
	w := r.kind.Workload(obj)
	ann, err := r.Recommender.Recommend(ctx, w, obj.GetAnnotations())
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("recommend a policy for %s: %w", w.Ref, err)
	}
	if !ann.Current(obj.GetAnnotations()) {
		if err := r.writes.Wait(ctx); err != nil {
			return reconcile.Result{}, err
		}
		if err := r.apply(ctx, obj, ann); err != nil {
			return reconcile.Result{}, err
		}
	}
	return reconcile.Result{RequeueAfter: r.resync()}, nil
}
