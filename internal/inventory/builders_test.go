package inventory

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// builder creates objects in one namespace of a real API server, setting
// owner references and pod addresses as the real controllers and kubelet do.
type builder struct {
	t   *testing.T
	ctx context.Context
	c   client.Client
	ns  string
}

// startBuilder starts a control plane and returns a builder for namespace
// ns, created with labels.
func startBuilder(t *testing.T, ns string, labels map[string]string) builder {
	t.Helper()
	cp := testutil.StartControlPlane(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := builder{t: t, ctx: ctx, c: c, ns: ns}
	b.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}})
	return b
}

func (b builder) create(obj client.Object) {
	b.t.Helper()
	if _, isNS := obj.(*corev1.Namespace); !isNS && obj.GetNamespace() == "" {
		obj.SetNamespace(b.ns)
	}
	if err := b.c.Create(b.ctx, obj); err != nil {
		b.t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

func template(app string) corev1.PodTemplateSpec {
	c := corev1.Container{Name: "main", Image: "example.invalid/app"}
	if app != "report" {
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}, {ContainerPort: 9090}}
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{c}, RestartPolicy: corev1.RestartPolicyOnFailure}}
}

func (b builder) deployment(name string, annotations map[string]string) *appsv1.Deployment {
	t := template(name)
	t.Spec.RestartPolicy = corev1.RestartPolicyAlways
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: annotations}, Spec: appsv1.DeploymentSpec{
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}, Template: t}}
	b.create(d)
	return d
}

func (b builder) cronJob(name string) *batchv1.CronJob {
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: batchv1.CronJobSpec{Schedule: "@hourly",
		JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template(name)}}}}
	b.create(cj)
	return cj
}

// owned creates obj controlled by owner.
func (b builder) owned(obj client.Object, owner client.Object, kind string) client.Object {
	api := "apps/v1"
	if kind == "CronJob" || kind == "Job" {
		api = "batch/v1"
	}
	obj.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: api, Kind: kind, Name: owner.GetName(), UID: owner.GetUID(), Controller: ptr.To(true)}})
	b.create(obj)
	return obj
}

// pod creates a running pod of app (controlled by owner unless nil) with
// ip, carrying the template's labels and the pod-only ones its controller
// would add (extra).
func (b builder) pod(name, app string, owner client.Object, kind, ip string, extra ...string) {
	b.t.Helper()
	t := template(app)
	p := &corev1.Pod{ObjectMeta: *t.ObjectMeta.DeepCopy(), Spec: t.Spec}
	p.Name = name
	for i := 0; i+1 < len(extra); i += 2 {
		p.Labels[extra[i]] = extra[i+1]
	}
	if owner != nil {
		b.owned(p, owner, kind)
	} else {
		b.create(p)
	}
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}}}
	if err := b.c.Status().Update(b.ctx, p); err != nil {
		b.t.Fatalf("set status of pod %s: %v", name, err)
	}
}
