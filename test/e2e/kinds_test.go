package e2e

import (
	"maps"
	"net/netip"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// statefulSet creates a StatefulSet and its first pod (<name>-0) running
// on the node with address ip, with the labels its controller adds; it
// returns the pod's name.
func (a apiObjects) statefulSet(ns, name string, labels map[string]string, ip netip.Addr, ports ...corev1.ContainerPort) string {
	tmpl := template(name, labels, ports...)
	s, err := a.cs.AppsV1().StatefulSets(ns).Create(a.ctx, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.StatefulSetSpec{ServiceName: name, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}},
		metav1.CreateOptions{})
	a.must("create StatefulSet "+name, err)
	pod := name + "-0"
	podLabels := maps.Clone(labels)
	podLabels["statefulset.kubernetes.io/pod-name"] = pod
	podLabels["controller-revision-hash"] = name + "-6b9f5d7c8"
	return a.pod(ns, pod, podLabels, controllerRef("apps/v1", "StatefulSet", s.Name, s.UID), tmpl.Spec, ip, netip.Addr{})
}

// cronJobRun creates a CronJob, the Job of one of its runs (the API server
// adds the run's own labels, job-name and controller-uid, to the Job's
// template) and that Job's running pod, which carries them; it returns the
// pod's name.
func (a apiObjects) cronJobRun(ns, name string, labels map[string]string, ip netip.Addr) string {
	tmpl := template(name, labels)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	cj, err := a.cs.BatchV1().CronJobs(ns).Create(a.ctx, &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.CronJobSpec{Schedule: "*/15 * * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tmpl}}}},
		metav1.CreateOptions{})
	a.must("create CronJob "+name, err)
	job, err := a.cs.BatchV1().Jobs(ns).Create(a.ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name + "-29000000",
		OwnerReferences: []metav1.OwnerReference{controllerRef("batch/v1", "CronJob", cj.Name, cj.UID)}},
		Spec: batchv1.JobSpec{Template: tmpl}}, metav1.CreateOptions{})
	a.must("create the Job of CronJob "+name, err)
	run := job.Spec.Template
	return a.pod(ns, job.Name+"-q8w4z", run.Labels, controllerRef("batch/v1", "Job", job.Name, job.UID), run.Spec, ip, netip.Addr{})
}
