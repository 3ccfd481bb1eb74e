package inventory

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
)

// Register feeds x from src's informers until ctx ends; Snapshot
// waits until every handler has seen its informer's initial list.
func (x *Index) Register(ctx context.Context, src resolve.Informers) error {
	synced, err := resolve.RegisterAll(ctx, src, []resolve.Watched{
		{Obj: &corev1.Namespace{}, Handler: resolve.Handler(x.SetNamespace, x.DeleteNamespace)},
		{Obj: &corev1.Pod{}, Handler: resolve.Handler(x.SetPod, x.DeletePod)},
		{Obj: &appsv1.Deployment{}, Handler: resolve.Handler(x.SetDeployment, deleted[*appsv1.Deployment](x, flow.KindDeployment))},
		{Obj: &appsv1.StatefulSet{}, Handler: resolve.Handler(x.SetStatefulSet, deleted[*appsv1.StatefulSet](x, flow.KindStatefulSet))},
		{Obj: &appsv1.DaemonSet{}, Handler: resolve.Handler(x.SetDaemonSet, deleted[*appsv1.DaemonSet](x, flow.KindDaemonSet))},
		{Obj: &batchv1.CronJob{}, Handler: resolve.Handler(x.SetCronJob, deleted[*batchv1.CronJob](x, flow.KindCronJob))},
		{Obj: &appsv1.ReplicaSet{}, Handler: resolve.Handler(x.SetReplicaSet, deleted[*appsv1.ReplicaSet](x, flow.KindReplicaSet))},
		{Obj: &batchv1.Job{}, Handler: resolve.Handler(x.SetJob, deleted[*batchv1.Job](x, flow.KindJob))},
		{Obj: &networkingv1.NetworkPolicy{}, Handler: resolve.Handler(x.SetPolicy, x.DeletePolicy)},
		{Obj: &corev1.Service{}, Handler: resolve.Handler(x.SetService, x.DeleteService)},
		{Obj: &discoveryv1.EndpointSlice{}, Handler: resolve.Handler(x.SetEndpointSlice, x.DeleteEndpointSlice)},
	})
	if err != nil {
		return fmt.Errorf("watch the cluster inventory: %w", err)
	}
	x.mu.Lock()
	x.synced = synced
	x.mu.Unlock()
	go x.collectEvery(ctx, time.Minute)
	return nil
}

func deleted[T metav1.Object](x *Index, kind flow.Kind) func(T) {
	return func(obj T) { x.DeleteController(kind, obj) }
}

func (x *Index) collectEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			x.collect(now)
		}
	}
}
