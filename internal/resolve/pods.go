package resolve

import (
	"net/netip"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// podInfo is what the index keeps of a pod.
type podInfo struct {
	uid         types.UID
	namespace   string
	name        string
	node        string
	hostNetwork bool
	controller  *metav1.OwnerReference
	templHash   string // pod-template-hash label, for orphaned ReplicaSets
	ips         []netip.Addr
}

// tenancy is a pod holding an IP from from until to (zero: still holds it).
type tenancy struct {
	pod      *podInfo
	from, to time.Time
}

func newPodInfo(p *corev1.Pod) *podInfo {
	info := &podInfo{
		uid: p.UID, namespace: p.Namespace, name: p.Name, node: p.Spec.NodeName,
		hostNetwork: p.Spec.HostNetwork, controller: metav1.GetControllerOf(p),
		templHash: p.Labels["pod-template-hash"],
	}
	for _, ip := range p.Status.PodIPs {
		if a, err := netip.ParseAddr(ip.IP); err == nil {
			info.ips = append(info.ips, a)
		}
	}
	if len(info.ips) == 0 && p.Status.PodIP != "" {
		if a, err := netip.ParseAddr(p.Status.PodIP); err == nil {
			info.ips = append(info.ips, a)
		}
	}
	return info
}

// released reports whether the pod no longer holds its IPs: it finished.
func released(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
}

// ownerKey names a ReplicaSet or Job whose own controller the index keeps.
type ownerKey struct{ namespace, kind, name string }

// workloadOf walks the pod's controller up to the top-level workload.
func (x *Index) workloadOf(p *podInfo) flow.WorkloadRef {
	w := flow.WorkloadRef{Namespace: p.namespace, Kind: flow.KindPod, Name: p.name}
	c := p.controller
	if c == nil {
		return w
	}
	w.Kind, w.Name = flow.Kind(c.Kind), c.Name
	switch c.Kind {
	case "ReplicaSet":
		if top, ok := x.owners[ownerKey{p.namespace, c.Kind, c.Name}]; ok {
			if top.Kind == "Deployment" {
				return flow.WorkloadRef{Namespace: p.namespace, Kind: flow.KindDeployment, Name: top.Name}
			}
			return w
		}
		// The ReplicaSet is not (or no longer) known: a Deployment names
		// its ReplicaSets <deployment>-<pod-template-hash>.
		if d, ok := strings.CutSuffix(c.Name, "-"+p.templHash); ok && p.templHash != "" {
			return flow.WorkloadRef{Namespace: p.namespace, Kind: flow.KindDeployment, Name: d}
		}
	case "Job":
		if top, ok := x.owners[ownerKey{p.namespace, c.Kind, c.Name}]; ok && top.Kind == "CronJob" {
			return flow.WorkloadRef{Namespace: p.namespace, Kind: flow.KindCronJob, Name: top.Name}
		}
	}
	return w
}
