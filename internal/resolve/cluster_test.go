package resolve

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// cluster creates objects in a real API server the way controllers would:
// every owner reference carries the owner's real UID.
type cluster struct {
	t  *testing.T
	cs kubernetes.Interface
	ns string
}

var ctx = context.Background()

func (c *cluster) ownedBy(gvk schema.GroupVersionKind, obj metav1.Object) []metav1.OwnerReference {
	return []metav1.OwnerReference{*metav1.NewControllerRef(obj, gvk)}
}

func podTemplate(app string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "registry.invalid/app:1"}}},
	}
}

func selector(app string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
}

func (c *cluster) deployment(name string) *appsv1.Deployment {
	d, err := c.cs.AppsV1().Deployments(c.ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       appsv1.DeploymentSpec{Selector: selector(name), Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	c.check("create Deployment", err)
	return d
}

func (c *cluster) replicaSet(name string, owner []metav1.OwnerReference) *appsv1.ReplicaSet {
	app := "rs-" + name
	rs, err := c.cs.AppsV1().ReplicaSets(c.ns).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: owner},
		Spec:       appsv1.ReplicaSetSpec{Selector: selector(app), Template: podTemplate(app)},
	}, metav1.CreateOptions{})
	c.check("create ReplicaSet", err)
	return rs
}

func (c *cluster) statefulSet(name string) *appsv1.StatefulSet {
	s, err := c.cs.AppsV1().StatefulSets(c.ns).Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       appsv1.StatefulSetSpec{Selector: selector(name), Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	c.check("create StatefulSet", err)
	return s
}

func (c *cluster) daemonSet(name string) *appsv1.DaemonSet {
	d, err := c.cs.AppsV1().DaemonSets(c.ns).Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       appsv1.DaemonSetSpec{Selector: selector(name), Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	c.check("create DaemonSet", err)
	return d
}

func (c *cluster) cronJob(name string) *batchv1.CronJob {
	tmpl := podTemplate(name)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	cj, err := c.cs.BatchV1().CronJobs(c.ns).Create(ctx, &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.CronJobSpec{Schedule: "*/5 * * * *", JobTemplate: batchv1.JobTemplateSpec{
			Spec: batchv1.JobSpec{Template: tmpl}}},
	}, metav1.CreateOptions{})
	c.check("create CronJob", err)
	return cj
}

func (c *cluster) job(name string, owner []metav1.OwnerReference) *batchv1.Job {
	tmpl := podTemplate(name)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	j, err := c.cs.BatchV1().Jobs(c.ns).Create(ctx, &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: owner},
		Spec:       batchv1.JobSpec{Template: tmpl},
	}, metav1.CreateOptions{})
	c.check("create Job", err)
	return j
}

// pod creates a running pod on node-1 and sets its IP through the status
// subresource, as the kubelet would.
func (c *cluster) pod(name, ip string, labels map[string]string, owner []metav1.OwnerReference) *corev1.Pod {
	return c.podWith(name, ip, labels, owner, false)
}

func (c *cluster) podWith(name, ip string, labels map[string]string, owner []metav1.OwnerReference, hostNetwork bool) *corev1.Pod {
	p, err := c.cs.CoreV1().Pods(c.ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, OwnerReferences: owner},
		Spec: corev1.PodSpec{NodeName: "node-1", HostNetwork: hostNetwork,
			Containers: []corev1.Container{{Name: "main", Image: "registry.invalid/app:1"}}},
	}, metav1.CreateOptions{})
	c.check("create Pod", err)
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}}}
	p, err = c.cs.CoreV1().Pods(c.ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	c.check("set Pod IP", err)
	return p
}

func (c *cluster) deletePod(name string) {
	err := c.cs.CoreV1().Pods(c.ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	c.check("delete Pod", err)
}

func (c *cluster) check(what string, err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

// eventually polls cond until it holds or 20 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
