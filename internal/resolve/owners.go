package resolve

import (
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// maxOwnerDepth bounds the walk up controller references: real chains are
// two or three long (Pod → ReplicaSet → Deployment or Rollout); a cycle of
// references must not hang the resolver.
const maxOwnerDepth = 8

// ownerKey names an intermediate controller (a ReplicaSet or a Job) whose
// own controller the walk needs.
type ownerKey struct{ namespace, kind, name string }

// Owners is the controller graph above pods: for every watched
// intermediate controller (ReplicaSets, Jobs) the controller of its own, if
// any. WorkloadOf walks it from a pod to the top, whatever the kinds on the
// way: Pod → ReplicaSet → Deployment, Pod → ReplicaSet → Rollout (Argo),
// Pod → Job → CronJob, Pod → StatefulSet, or any custom controller. It is
// the one owner walk of the product: the resolver (which stores flows under
// the workload) and the inventory (which looks baselines up by it) both use
// it, so they always agree.
//
// Owners is not safe for concurrent use; its holder locks it.
type Owners struct {
	m map[ownerKey]metav1.OwnerReference
	// gone are deleted owners kept until Collect passes their time: a Job
	// goes with its pod, before the pod's last flows arrive.
	gone map[ownerKey]time.Time
}

// NewOwners returns an empty graph.
func NewOwners() *Owners {
	return &Owners{m: map[ownerKey]metav1.OwnerReference{}, gone: map[ownerKey]time.Time{}}
}

// Set records the controller of obj, a kind (ReplicaSet, Job) that pods
// name as their controller.
func (o *Owners) Set(kind string, obj metav1.Object) {
	var top metav1.OwnerReference
	if c := metav1.GetControllerOfNoCopy(obj); c != nil {
		top = *c
	}
	k := ownerKey{obj.GetNamespace(), kind, obj.GetName()}
	o.m[k] = top
	delete(o.gone, k)
}

// Delete marks obj deleted at now; Collect forgets it after the grace.
func (o *Owners) Delete(kind string, obj metav1.Object, now time.Time) {
	k := ownerKey{obj.GetNamespace(), kind, obj.GetName()}
	if _, ok := o.m[k]; ok {
		o.gone[k] = now
	}
}

// Collect forgets the owners deleted at or before cutoff.
func (o *Owners) Collect(cutoff time.Time) {
	for k, gone := range o.gone {
		if !gone.After(cutoff) {
			delete(o.m, k)
			delete(o.gone, k)
		}
	}
}

// Known reports whether obj of kind is in the graph.
func (o *Owners) Known(kind, namespace, name string) bool {
	_, ok := o.m[ownerKey{namespace, kind, name}]
	return ok
}

// WorkloadOf walks from a pod (namespace, name and its controller
// reference, nil for none) up to its workload: the first controller that is
// not itself a known intermediate. templHash is the pod's
// pod-template-hash label: a ReplicaSet never seen (deleted past the
// grace) named <deployment>-<hash> is taken as that Deployment's.
func (o *Owners) WorkloadOf(namespace, pod string, c *metav1.OwnerReference, templHash string) flow.WorkloadRef {
	w := flow.WorkloadRef{Namespace: namespace, Kind: flow.KindPod, Name: pod}
	for depth := 0; c != nil && c.Kind != "" && depth < maxOwnerDepth; depth++ {
		w.Kind, w.Name = flow.Kind(c.Kind), c.Name
		next, known := o.m[ownerKey{namespace, c.Kind, c.Name}]
		if !known {
			if depth == 0 && c.Kind == "ReplicaSet" && templHash != "" {
				if d, ok := strings.CutSuffix(c.Name, "-"+templHash); ok {
					w.Kind, w.Name = flow.KindDeployment, d
				}
			}
			break
		}
		c = &next
	}
	return w
}
