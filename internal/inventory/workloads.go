package inventory

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// FromTemplate is the workload described by a controller's pod template.
func FromTemplate(ref flow.WorkloadRef, t *corev1.PodTemplateSpec) policy.Workload {
	return policy.Workload{
		Ref:         ref,
		Labels:      t.Labels,
		Ports:       namedPorts(t.Spec.Containers),
		HostNetwork: t.Spec.HostNetwork,
	}
}

func namedPorts(cs []corev1.Container) []policy.NamedPort {
	var out []policy.NamedPort
	for _, c := range cs {
		for _, p := range c.Ports {
			if p.Name != "" {
				out = append(out, policy.NamedPort{Name: p.Name, Port: p.ContainerPort, Protocol: p.Protocol})
			}
		}
	}
	return out
}

// add records a workload and the adjustments declared on its object.
func (s *Snapshot) add(obj metav1.Object, kind flow.Kind, t *corev1.PodTemplateSpec) {
	ref := flow.WorkloadRef{Namespace: obj.GetNamespace(), Kind: kind, Name: obj.GetName()}
	s.Cluster.Workloads[ref] = FromTemplate(ref, t)
	adj, err := adjust.FromAnnotations(ref.Namespace, obj.GetAnnotations())
	switch {
	case err != nil:
		s.Invalid[ref] = err.Error()
	case len(adj.Allow)+len(adj.Exclude) > 0:
		s.Adjustments[ref] = adj
	}
}

func addWorkloads(ctx context.Context, r client.Reader, s *Snapshot) error {
	var deps appsv1.DeploymentList
	var sts appsv1.StatefulSetList
	var dss appsv1.DaemonSetList
	var cjs batchv1.CronJobList
	for _, l := range []client.ObjectList{&deps, &sts, &dss, &cjs} {
		if err := r.List(ctx, l); err != nil {
			return fmt.Errorf("list %T: %w", l, err)
		}
	}
	for i := range deps.Items {
		s.add(&deps.Items[i], flow.KindDeployment, &deps.Items[i].Spec.Template)
	}
	for i := range sts.Items {
		s.add(&sts.Items[i], flow.KindStatefulSet, &sts.Items[i].Spec.Template)
	}
	for i := range dss.Items {
		s.add(&dss.Items[i], flow.KindDaemonSet, &dss.Items[i].Spec.Template)
	}
	for i := range cjs.Items {
		s.add(&cjs.Items[i], flow.KindCronJob, &cjs.Items[i].Spec.JobTemplate.Spec.Template)
	}
	return nil
}
