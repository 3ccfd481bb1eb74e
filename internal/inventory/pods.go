package inventory

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// podState is what the index keeps of a running pod.
type podState struct {
	namespace, name string
	controller      *metav1.OwnerReference
	templHash       string
	labels          map[string]string
	ips             []netip.Addr
	ports           []policy.NamedPort
	hostNetwork     bool
	ref             flow.WorkloadRef // its workload, by the owner walk
}

// ctrlKey names a pod's direct controller.
type ctrlKey struct{ namespace, kind, name string }

func (p *podState) ctrlKey() (ctrlKey, bool) {
	if p.controller == nil {
		return ctrlKey{}, false
	}
	return ctrlKey{p.namespace, p.controller.Kind, p.controller.Name}, true
}

// SetPod records a pod as it is now; a finished pod leaves its workload.
func (x *Index) SetPod(p *corev1.Pod) {
	if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		x.DeletePod(p)
		return
	}
	ps := &podState{
		namespace: p.Namespace, name: p.Name, controller: metav1.GetControllerOf(p),
		templHash: p.Labels["pod-template-hash"], labels: p.Labels, ips: podIPs(p),
		ports: namedPorts(p.Spec.Containers), hostNetwork: p.Spec.HostNetwork,
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removePod(p.UID)
	ps.ref = x.owners.WorkloadOf(ps.namespace, ps.name, ps.controller, ps.templHash)
	x.pods[p.UID] = ps
	addTo(x.byWorkload, ps.ref, p.UID)
	if k, ok := ps.ctrlKey(); ok {
		addTo(x.byCtrl, k, p.UID)
	}
	if ps.controller == nil {
		// A bare pod is its own workload and carries its adjustments.
		x.setAdjustment(ps.ref, p.Annotations)
	}
	x.changed(ps.ref)
}

// DeletePod forgets a pod.
func (x *Index) DeletePod(p *corev1.Pod) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if ps, ok := x.pods[p.UID]; ok && ps.controller == nil {
		delete(x.adjust, ps.ref)
	}
	x.removePod(p.UID)
}

func (x *Index) removePod(uid types.UID) {
	ps, ok := x.pods[uid]
	if !ok {
		return
	}
	delete(x.pods, uid)
	removeFrom(x.byWorkload, ps.ref, uid)
	if k, ok := ps.ctrlKey(); ok {
		removeFrom(x.byCtrl, k, uid)
	}
	x.changed(ps.ref)
}

// rewalk moves the pods controlled by k to the workload the owner walk
// gives now (after k's own controller changed).
func (x *Index) rewalk(k ctrlKey) {
	for uid := range x.byCtrl[k] {
		ps := x.pods[uid]
		ref := x.owners.WorkloadOf(ps.namespace, ps.name, ps.controller, ps.templHash)
		if ref == ps.ref {
			continue
		}
		removeFrom(x.byWorkload, ps.ref, uid)
		addTo(x.byWorkload, ref, uid)
		x.changed(ps.ref, ref)
		ps.ref = ref
	}
}

// setAdjustment records the adjustments annotation of workload ref.
func (x *Index) setAdjustment(ref flow.WorkloadRef, annotations map[string]string) {
	if a, ok := parseAdjustment(ref.Namespace, annotations); ok {
		x.adjust[ref] = a
	} else {
		delete(x.adjust, ref)
	}
}

// parseAdjustment reads the adjustments annotation; ok is false when there
// is none (or it declares nothing).
func parseAdjustment(namespace string, annotations map[string]string) (adjustment, bool) {
	adj, err := adjust.FromAnnotations(namespace, annotations)
	switch {
	case err != nil:
		return adjustment{invalid: err.Error()}, true
	case len(adj.Allow)+len(adj.Exclude) > 0:
		return adjustment{adj: adj}, true
	}
	return adjustment{}, false
}

// adjustment is a workload's parsed adjustments, or why they do not parse.
type adjustment struct {
	adj     policy.Adjustments
	invalid string
}

func podIPs(p *corev1.Pod) []netip.Addr {
	var out []netip.Addr
	for _, pip := range p.Status.PodIPs {
		if a, err := netip.ParseAddr(pip.IP); err == nil {
			out = append(out, a.Unmap())
		}
	}
	if len(out) == 0 && p.Status.PodIP != "" {
		if a, err := netip.ParseAddr(p.Status.PodIP); err == nil {
			out = append(out, a.Unmap())
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
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

func addTo[K comparable](m map[K]map[types.UID]struct{}, k K, uid types.UID) {
	if m[k] == nil {
		m[k] = map[types.UID]struct{}{}
	}
	m[k][uid] = struct{}{}
}

func removeFrom[K comparable](m map[K]map[types.UID]struct{}, k K, uid types.UID) {
	delete(m[k], uid)
	if len(m[k]) == 0 {
		delete(m, k)
	}
}
