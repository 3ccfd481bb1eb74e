package resolve

import (
	"net/netip"
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

// workloadOf walks the pod's controllers up to its workload.
func (x *Index) workloadOf(p *podInfo) flow.WorkloadRef {
	return x.owners.WorkloadOf(p.namespace, p.name, p.controller, p.templHash)
}
