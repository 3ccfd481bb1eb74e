package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/netpol-advisor/netpol-advisor/internal/mismatch"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// watched are the kinds whose events can change a verdict: what the
// inventory is built from.
var watched = []client.Object{
	&networkingv1.NetworkPolicy{}, &corev1.Namespace{}, &corev1.Pod{}, &corev1.Service{}, &discoveryv1.EndpointSlice{},
	&appsv1.Deployment{}, &appsv1.StatefulSet{}, &appsv1.DaemonSet{}, &appsv1.ReplicaSet{}, &batchv1.Job{}, &batchv1.CronJob{},
}

// runEvaluator adds the mismatch evaluation to mgr, over inv, notified by
// the informers of every watched kind; it returns nil when
// --mismatch-period=0.
func runEvaluator(mgr ctrl.Manager, inv mismatch.Inventory, cfg Config, baselines store.Reader, reg prometheus.Registerer, log *slog.Logger) (*mismatch.Evaluator, error) {
	if cfg.Mismatch.Period == 0 {
		log.Info("mismatch evaluation off (--mismatch-period=0)")
		return nil, nil
	}
	ev := mismatch.New(inv, baselines, reg, log, mismatch.Options{Window: cfg.Webhook.Window, Period: cfg.Mismatch.Period, Debounce: cfg.Mismatch.Debounce})
	notify := func(any) { ev.Notify() }
	handler := toolscache.ResourceEventHandlerFuncs{AddFunc: notify, DeleteFunc: notify, UpdateFunc: func(_, o any) { notify(o) }}
	for _, obj := range watched {
		inf, err := mgr.GetCache().GetInformer(context.Background(), obj, cache.BlockUntilSynced(false))
		if err != nil {
			return nil, fmt.Errorf("mismatch evaluation: watch %T: %w", obj, err)
		}
		if _, err := inf.AddEventHandler(handler); err != nil {
			return nil, fmt.Errorf("mismatch evaluation: watch %T: %w", obj, err)
		}
	}
	// A runnable of the manager starts once the caches have synced.
	if err := mgr.Add(manager.RunnableFunc(ev.Run)); err != nil {
		return nil, fmt.Errorf("mismatch evaluation: %w", err)
	}
	log.Info("mismatch evaluation on", "period", cfg.Mismatch.Period, "debounce", cfg.Mismatch.Debounce)
	return ev, nil
}
