package inventory

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Build lists the cluster once through r and returns its snapshot: for
// one-shot tools and tests. Servers keep an Index current instead.
func Build(ctx context.Context, r client.Reader, o Options) (*Snapshot, error) {
	x := NewIndex(o)
	// Intermediate controllers first, so that pods walk up to their
	// workloads at once (the index also re-walks them otherwise).
	steps := []func(context.Context, client.Reader, *Index) error{
		listInto(&appsv1.ReplicaSetList{}, func(l *appsv1.ReplicaSetList) { each(l.Items, x.SetReplicaSet) }),
		listInto(&batchv1.JobList{}, func(l *batchv1.JobList) { each(l.Items, x.SetJob) }),
		listInto(&appsv1.DeploymentList{}, func(l *appsv1.DeploymentList) { each(l.Items, x.SetDeployment) }),
		listInto(&appsv1.StatefulSetList{}, func(l *appsv1.StatefulSetList) { each(l.Items, x.SetStatefulSet) }),
		listInto(&appsv1.DaemonSetList{}, func(l *appsv1.DaemonSetList) { each(l.Items, x.SetDaemonSet) }),
		listInto(&batchv1.CronJobList{}, func(l *batchv1.CronJobList) { each(l.Items, x.SetCronJob) }),
		listInto(&corev1.PodList{}, func(l *corev1.PodList) { each(l.Items, x.SetPod) }),
		listInto(&corev1.NamespaceList{}, func(l *corev1.NamespaceList) { each(l.Items, x.SetNamespace) }),
		listInto(&networkingv1.NetworkPolicyList{}, func(l *networkingv1.NetworkPolicyList) { each(l.Items, x.SetPolicy) }),
		listInto(&corev1.ServiceList{}, func(l *corev1.ServiceList) { each(l.Items, x.SetService) }),
		listInto(&discoveryv1.EndpointSliceList{}, func(l *discoveryv1.EndpointSliceList) { each(l.Items, x.SetEndpointSlice) }),
	}
	for _, step := range steps {
		if err := step(ctx, r, x); err != nil {
			return nil, err
		}
	}
	return x.Snapshot(ctx)
}

func listInto[L client.ObjectList](l L, use func(L)) func(context.Context, client.Reader, *Index) error {
	return func(ctx context.Context, r client.Reader, _ *Index) error {
		if err := r.List(ctx, l); err != nil {
			return fmt.Errorf("list %T: %w", l, err)
		}
		use(l)
		return nil
	}
}

func each[T any](items []T, set func(*T)) {
	for i := range items {
		set(&items[i])
	}
}
