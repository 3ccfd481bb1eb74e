package resolve

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// SetOwner records the controller of a ReplicaSet or Job (kind), so its
// pods resolve to the Deployment or CronJob above it.
func (x *Index) SetOwner(kind string, obj metav1.Object) {
	var top metav1.OwnerReference
	if c := metav1.GetControllerOfNoCopy(obj); c != nil {
		top = *c
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	k := ownerKey{obj.GetNamespace(), kind, obj.GetName()}
	x.owners[k] = top
	delete(x.ownersGone, k)
}

// DeleteOwner forgets a ReplicaSet or Job once the grace period has passed
// (Collect), so that its deleted pods' last flows still name the workload.
func (x *Index) DeleteOwner(kind string, obj metav1.Object) {
	x.mu.Lock()
	defer x.mu.Unlock()
	k := ownerKey{obj.GetNamespace(), kind, obj.GetName()}
	if _, ok := x.owners[k]; ok {
		x.ownersGone[k] = x.now()
	}
}

// SetService records a Service's ClusterIPs and ports.
func (x *Index) SetService(s *corev1.Service) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.svc.set(s)
}

// DeleteService forgets a Service.
func (x *Index) DeleteService(s *corev1.Service) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.svc.delete(types.NamespacedName{Namespace: s.Namespace, Name: s.Name})
}

// SetEndpointSlice records a Service's EndpointSlice.
func (x *Index) SetEndpointSlice(es *discoveryv1.EndpointSlice) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.svc.setSlice(es)
}

// DeleteEndpointSlice forgets an EndpointSlice.
func (x *Index) DeleteEndpointSlice(es *discoveryv1.EndpointSlice) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.svc.deleteSlice(es)
}

// SetNode records a node's addresses.
func (x *Index) SetNode(n *corev1.Node) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.deleteNode(n.Name)
	for _, a := range n.Status.Addresses {
		if a.Type != corev1.NodeInternalIP && a.Type != corev1.NodeExternalIP {
			continue
		}
		if ip, err := netip.ParseAddr(a.Address); err == nil {
			x.nodes[ip] = n.Name
			x.nodeAddrs[n.Name] = append(x.nodeAddrs[n.Name], ip)
		}
	}
}

// DeleteNode forgets a node.
func (x *Index) DeleteNode(n *corev1.Node) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.deleteNode(n.Name)
}

func (x *Index) deleteNode(name string) {
	for _, ip := range x.nodeAddrs[name] {
		if x.nodes[ip] == name {
			delete(x.nodes, ip)
		}
	}
	delete(x.nodeAddrs, name)
}
