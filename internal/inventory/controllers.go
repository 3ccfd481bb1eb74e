package inventory

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// controller is a workload known from its controller object: what its pod
// template says, before any pod runs.
type controller struct{ w policy.Workload }

// FromTemplate is the workload described by a controller's pod template.
func FromTemplate(ref flow.WorkloadRef, t *corev1.PodTemplateSpec) policy.Workload {
	return policy.Workload{
		Ref:         ref,
		Labels:      t.Labels,
		Ports:       namedPorts(t.Spec.Containers),
		HostNetwork: t.Spec.HostNetwork,
	}
}

// Ref is the workload reference of an object of a workload kind.
func Ref(obj metav1.Object, kind flow.Kind) flow.WorkloadRef {
	return flow.WorkloadRef{Namespace: obj.GetNamespace(), Kind: kind, Name: obj.GetName()}
}

// SetDeployment, SetStatefulSet, SetDaemonSet and SetCronJob record a
// top-level workload; SetReplicaSet and SetJob an intermediate controller,
// which is a workload of its own only without a controller.
func (x *Index) SetDeployment(d *appsv1.Deployment) {
	x.setController(d, flow.KindDeployment, &d.Spec.Template, d.Spec.Selector)
}

func (x *Index) SetStatefulSet(s *appsv1.StatefulSet) {
	x.setController(s, flow.KindStatefulSet, &s.Spec.Template, s.Spec.Selector)
}

func (x *Index) SetDaemonSet(d *appsv1.DaemonSet) {
	x.setController(d, flow.KindDaemonSet, &d.Spec.Template, d.Spec.Selector)
}

func (x *Index) SetCronJob(c *batchv1.CronJob) {
	x.setController(c, flow.KindCronJob, &c.Spec.JobTemplate.Spec.Template, nil)
}

func (x *Index) SetReplicaSet(rs *appsv1.ReplicaSet) {
	x.setIntermediate(rs, flow.KindReplicaSet, &rs.Spec.Template, rs.Spec.Selector)
}

func (x *Index) SetJob(j *batchv1.Job) {
	x.setIntermediate(j, flow.KindJob, &j.Spec.Template, j.Spec.Selector)
}

// DeleteController forgets a workload object of kind; a deleted
// ReplicaSet or Job still names its workload for the grace period.
func (x *Index) DeleteController(kind flow.Kind, obj metav1.Object) {
	x.mu.Lock()
	defer x.mu.Unlock()
	ref := Ref(obj, kind)
	delete(x.ctrls, ref)
	delete(x.adjust, ref)
	if kind == flow.KindReplicaSet || kind == flow.KindJob {
		x.owners.Delete(string(kind), obj, x.now())
	}
	x.changed(ref)
}

func (x *Index) setController(obj metav1.Object, kind flow.Kind, t *corev1.PodTemplateSpec, sel *metav1.LabelSelector) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.putController(obj, kind, t, sel)
}

func (x *Index) putController(obj metav1.Object, kind flow.Kind, t *corev1.PodTemplateSpec, sel *metav1.LabelSelector) {
	ref := Ref(obj, kind)
	// The controller's selector is not handed on (sel): recommendations
	// select peers by their template labels, as the admitted workload's own
	// (FromTemplate) are; switching both is the policy core's decision.
	_ = sel
	w := FromTemplate(ref, t)
	x.ctrls[ref] = controller{w: w}
	x.setAdjustment(ref, obj.GetAnnotations())
	x.changed(ref)
}

func (x *Index) setIntermediate(obj metav1.Object, kind flow.Kind, t *corev1.PodTemplateSpec, sel *metav1.LabelSelector) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.owners.Set(string(kind), obj)
	ref := Ref(obj, kind)
	if metav1.GetControllerOfNoCopy(obj) == nil {
		x.putController(obj, kind, t, sel)
	} else if _, was := x.ctrls[ref]; was {
		delete(x.ctrls, ref)
		delete(x.adjust, ref)
		x.changed(ref)
	}
	x.rewalk(ctrlKey{obj.GetNamespace(), string(kind), obj.GetName()})
	x.gen++
}
