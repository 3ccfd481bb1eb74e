package inventory

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// owners maps a ReplicaSet or Job (namespace/name) to its own controller,
// for the walk from a pod to its workload.
type owners map[string]*metav1.OwnerReference

// listOwners lists ReplicaSets and Jobs; those without a controller are
// workloads of their own and are added to the snapshot.
func listOwners(ctx context.Context, r client.Reader, s *Snapshot) (owners, error) {
	var rss appsv1.ReplicaSetList
	var jobs batchv1.JobList
	for _, l := range []client.ObjectList{&rss, &jobs} {
		if err := r.List(ctx, l); err != nil {
			return nil, fmt.Errorf("list %T: %w", l, err)
		}
	}
	o := owners{}
	for i := range rss.Items {
		rs := &rss.Items[i]
		if o.set("ReplicaSet", rs) {
			s.add(rs, flow.KindReplicaSet, &rs.Spec.Template)
		}
	}
	for i := range jobs.Items {
		j := &jobs.Items[i]
		if o.set("Job", j) {
			s.add(j, flow.KindJob, &j.Spec.Template)
		}
	}
	return o, nil
}

// set records obj's controller and reports whether it has none.
func (o owners) set(kind string, obj metav1.Object) bool {
	ref := metav1.GetControllerOf(obj)
	o[kind+"/"+obj.GetNamespace()+"/"+obj.GetName()] = ref
	return ref == nil
}

// workloadOf walks a pod's controller references up to its workload.
func (o owners) workloadOf(p *corev1.Pod) flow.WorkloadRef {
	ref := flow.WorkloadRef{Namespace: p.Namespace, Kind: flow.KindPod, Name: p.Name}
	c := metav1.GetControllerOf(p)
	for depth := 0; c != nil && depth < 4; depth++ {
		ref.Kind, ref.Name = flow.Kind(c.Kind), c.Name
		next, known := o[c.Kind+"/"+p.Namespace+"/"+c.Name]
		if !known {
			break
		}
		c = next
	}
	return ref
}

func addPods(ctx context.Context, r client.Reader, s *Snapshot) error {
	o, err := listOwners(ctx, r, s)
	if err != nil {
		return err
	}
	var pods corev1.PodList
	if err := r.List(ctx, &pods); err != nil {
		return fmt.Errorf("list pods: %w", err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		ref := o.workloadOf(p)
		w, ok := s.Cluster.Workloads[ref]
		if !ok {
			s.add(p, ref.Kind, &corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec})
			w = s.Cluster.Workloads[ref]
		}
		w.IPs = appendIPs(w.IPs, p.Status.PodIPs)
		s.Cluster.Workloads[ref] = w
	}
	return nil
}

func appendIPs(ips []netip.Addr, podIPs []corev1.PodIP) []netip.Addr {
	for _, pip := range podIPs {
		if a, err := netip.ParseAddr(pip.IP); err == nil && !slices.Contains(ips, a) {
			ips = append(ips, a)
		}
	}
	slices.SortFunc(ips, netip.Addr.Compare)
	return ips
}
