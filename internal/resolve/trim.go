package resolve

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// trim keeps only what the index reads, so the informers' caches of a large
// cluster stay small: identity, owners, the pod-template-hash and
// service-name labels, and the few spec and status fields used.
func trim(obj any) (any, error) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return &corev1.Pod{
			ObjectMeta: meta(o.ObjectMeta, "pod-template-hash"),
			Spec:       corev1.PodSpec{NodeName: o.Spec.NodeName, HostNetwork: o.Spec.HostNetwork},
			Status:     corev1.PodStatus{Phase: o.Status.Phase, PodIP: o.Status.PodIP, PodIPs: o.Status.PodIPs, StartTime: o.Status.StartTime},
		}, nil
	case *corev1.Service:
		return &corev1.Service{
			ObjectMeta: meta(o.ObjectMeta),
			Spec: corev1.ServiceSpec{ClusterIP: o.Spec.ClusterIP, ClusterIPs: o.Spec.ClusterIPs, Ports: o.Spec.Ports,
				Selector: o.Spec.Selector},
		}, nil
	case *discoveryv1.EndpointSlice:
		return &discoveryv1.EndpointSlice{
			ObjectMeta: meta(o.ObjectMeta, discoveryv1.LabelServiceName), Ports: o.Ports, Endpoints: o.Endpoints,
		}, nil
	case *corev1.Node:
		return &corev1.Node{ObjectMeta: meta(o.ObjectMeta), Spec: corev1.NodeSpec{PodCIDRs: o.Spec.PodCIDRs},
			Status: corev1.NodeStatus{Addresses: o.Status.Addresses}}, nil
	case *appsv1.ReplicaSet:
		return &appsv1.ReplicaSet{ObjectMeta: meta(o.ObjectMeta)}, nil
	case *batchv1.Job:
		return &batchv1.Job{ObjectMeta: meta(o.ObjectMeta)}, nil
	case metav1.Object:
		o.SetManagedFields(nil)
		o.SetAnnotations(nil)
		return o, nil
	}
	return obj, nil
}

// meta keeps an object's identity, owners and the labels named.
func meta(m metav1.ObjectMeta, labels ...string) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		CreationTimestamp: m.CreationTimestamp, DeletionTimestamp: m.DeletionTimestamp,
		OwnerReferences: m.OwnerReferences,
	}
	for _, l := range labels {
		if v, ok := m.Labels[l]; ok {
			if out.Labels == nil {
				out.Labels = map[string]string{}
			}
			out.Labels[l] = v
		}
	}
	return out
}
