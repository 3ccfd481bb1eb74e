package resolve

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// SetOwner records the controller of a ReplicaSet or Job (kind), so its
// pods resolve to the workload above it.
func (x *Index) SetOwner(kind string, obj metav1.Object) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.owners.Set(kind, obj)
}

// DeleteOwner forgets a ReplicaSet or Job once the grace period has passed
// (Collect), so that its deleted pods' last flows still name the workload.
func (x *Index) DeleteOwner(kind string, obj metav1.Object) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.owners.Delete(kind, obj, x.now())
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
	for _, raw := range n.Spec.PodCIDRs {
		if c, err := netip.ParsePrefix(raw); err == nil {
			x.podCIDRs[n.Name] = append(x.podCIDRs[n.Name], c.Masked())
		}
	}
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
	delete(x.podCIDRs, name)
}

// SetNodeLocalDNS sets the addresses of NodeLocal DNSCache (by default
// DefaultNodeLocalDNS; none turns the classification off).
func (x *Index) SetNodeLocalDNS(addrs ...netip.Addr) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.nodeLocal = slices.Clone(addrs)
}

// SetPodCIDRs sets the cluster's pod address ranges, for clusters whose
// nodes do not publish spec.podCIDRs (their CNI allocates addresses
// itself). With ranges known, an old flow to an address outside all of
// them is external, not unresolved.
func (x *Index) SetPodCIDRs(cidrs ...netip.Prefix) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.staticCIDRs = nil
	for _, c := range cidrs {
		x.staticCIDRs = append(x.staticCIDRs, c.Masked())
	}
}
