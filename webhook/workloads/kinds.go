package workloads

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Kind is one object kind that can be a workload.
type Kind struct {
	// Kind is the workload kind baselines are kept under.
	Kind flow.Kind
	// GVK and Resource name the API type.
	GVK      schema.GroupVersionKind
	Resource string
	// New returns an empty object of the type, NewList an empty list.
	New     func() client.Object
	NewList func() client.ObjectList
	// Template returns the pod template of an object of the type (for a
	// Pod, the Pod itself as a template).
	Template func(client.Object) *corev1.PodTemplateSpec
}

// All is every workload kind, in a fixed order.
var All = []Kind{
	{flow.KindDeployment, appsv1.SchemeGroupVersion.WithKind("Deployment"), "deployments",
		func() client.Object { return &appsv1.Deployment{} },
		func() client.ObjectList { return &appsv1.DeploymentList{} },
		func(o client.Object) *corev1.PodTemplateSpec { return &o.(*appsv1.Deployment).Spec.Template }},
	{flow.KindStatefulSet, appsv1.SchemeGroupVersion.WithKind("StatefulSet"), "statefulsets",
		func() client.Object { return &appsv1.StatefulSet{} },
		func() client.ObjectList { return &appsv1.StatefulSetList{} },
		func(o client.Object) *corev1.PodTemplateSpec { return &o.(*appsv1.StatefulSet).Spec.Template }},
	{flow.KindDaemonSet, appsv1.SchemeGroupVersion.WithKind("DaemonSet"), "daemonsets",
		func() client.Object { return &appsv1.DaemonSet{} },
		func() client.ObjectList { return &appsv1.DaemonSetList{} },
		func(o client.Object) *corev1.PodTemplateSpec { return &o.(*appsv1.DaemonSet).Spec.Template }},
	{flow.KindReplicaSet, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), "replicasets",
		func() client.Object { return &appsv1.ReplicaSet{} },
		func() client.ObjectList { return &appsv1.ReplicaSetList{} },
		func(o client.Object) *corev1.PodTemplateSpec { return &o.(*appsv1.ReplicaSet).Spec.Template }},
	{flow.KindCronJob, batchv1.SchemeGroupVersion.WithKind("CronJob"), "cronjobs",
		func() client.Object { return &batchv1.CronJob{} },
		func() client.ObjectList { return &batchv1.CronJobList{} },
		func(o client.Object) *corev1.PodTemplateSpec {
			return &o.(*batchv1.CronJob).Spec.JobTemplate.Spec.Template
		}},
	{flow.KindJob, batchv1.SchemeGroupVersion.WithKind("Job"), "jobs",
		func() client.Object { return &batchv1.Job{} },
		func() client.ObjectList { return &batchv1.JobList{} },
		func(o client.Object) *corev1.PodTemplateSpec { return &o.(*batchv1.Job).Spec.Template }},
	{flow.KindPod, corev1.SchemeGroupVersion.WithKind("Pod"), "pods",
		func() client.Object { return &corev1.Pod{} },
		func() client.ObjectList { return &corev1.PodList{} },
		func(o client.Object) *corev1.PodTemplateSpec {
			p := o.(*corev1.Pod)
			return &corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}
		}},
}

// ByGVK returns the workload kind of an API type.
func ByGVK(gvk schema.GroupVersionKind) (Kind, bool) {
	for _, k := range All {
		if k.GVK == gvk {
			return k, true
		}
	}
	return Kind{}, false
}

// ByResource returns the workload kind of an API group, version and
// resource (as an admission request names it).
func ByResource(gvr schema.GroupVersionResource) (Kind, bool) {
	for _, k := range All {
		if k.GVK.GroupVersion().WithResource(k.Resource) == gvr {
			return k, true
		}
	}
	return Kind{}, false
}
