package clustercache

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	crcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
)

// Options are the cache options of the server's manager: managed fields
// dropped everywhere, and the kinds a large cluster has most of trimmed
// to what the resolver and the inventory read. Workload controllers
// (Deployments, StatefulSets, DaemonSets, CronJobs) stay whole: the
// webhooks' controllers read them.
func Options() crcache.Options {
	return crcache.Options{
		DefaultTransform: crcache.TransformStripManagedFields(),
		ByObject: map[client.Object]crcache.ByObject{
			&corev1.Pod{}:        {Transform: trimPod},
			&appsv1.ReplicaSet{}: {Transform: trimReplicaSet},
			&batchv1.Job{}:       {Transform: trimJob},
			&corev1.Node{}:       {Transform: trimNode},
		},
	}
}

// meta keeps identity, labels, owners and the adjustments annotation.
func meta(m metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		Generation: m.Generation, CreationTimestamp: m.CreationTimestamp, DeletionTimestamp: m.DeletionTimestamp,
		Labels: m.Labels, OwnerReferences: m.OwnerReferences,
	}
	if v, ok := m.Annotations[adjust.Annotation]; ok {
		out.Annotations = map[string]string{adjust.Annotation: v}
	}
	return out
}

// podSpec keeps the node, the host network and the containers' ports.
func podSpec(s corev1.PodSpec) corev1.PodSpec {
	out := corev1.PodSpec{NodeName: s.NodeName, HostNetwork: s.HostNetwork}
	for _, c := range s.Containers {
		out.Containers = append(out.Containers, corev1.Container{Name: c.Name, Ports: c.Ports})
	}
	return out
}

func template(t corev1.PodTemplateSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: t.Labels}, Spec: podSpec(t.Spec)}
}

func trimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	return &corev1.Pod{TypeMeta: p.TypeMeta, ObjectMeta: meta(p.ObjectMeta), Spec: podSpec(p.Spec),
		Status: corev1.PodStatus{Phase: p.Status.Phase, PodIP: p.Status.PodIP, PodIPs: p.Status.PodIPs, StartTime: p.Status.StartTime}}, nil
}

func trimReplicaSet(obj any) (any, error) {
	rs, ok := obj.(*appsv1.ReplicaSet)
	if !ok {
		return obj, nil
	}
	return &appsv1.ReplicaSet{TypeMeta: rs.TypeMeta, ObjectMeta: meta(rs.ObjectMeta),
		Spec: appsv1.ReplicaSetSpec{Selector: rs.Spec.Selector, Template: template(rs.Spec.Template)}}, nil
}

func trimJob(obj any) (any, error) {
	j, ok := obj.(*batchv1.Job)
	if !ok {
		return obj, nil
	}
	return &batchv1.Job{TypeMeta: j.TypeMeta, ObjectMeta: meta(j.ObjectMeta),
		Spec: batchv1.JobSpec{Selector: j.Spec.Selector, Template: template(j.Spec.Template)}}, nil
}

func trimNode(obj any) (any, error) {
	n, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	return &corev1.Node{TypeMeta: n.TypeMeta, ObjectMeta: meta(n.ObjectMeta), Spec: corev1.NodeSpec{PodCIDRs: n.Spec.PodCIDRs},
		Status: corev1.NodeStatus{Addresses: n.Status.Addresses}}, nil
}
