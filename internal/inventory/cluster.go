package inventory

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// SetNamespace records a namespace's labels.
func (x *Index) SetNamespace(ns *corev1.Namespace) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.namespaces[ns.Name] = ns.Labels
	x.changed()
}

// DeleteNamespace forgets a namespace.
func (x *Index) DeleteNamespace(ns *corev1.Namespace) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.namespaces, ns.Name)
	x.changed()
}

// SetPolicy records a NetworkPolicy in force.
func (x *Index) SetPolicy(np *networkingv1.NetworkPolicy) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.policies[types.NamespacedName{Namespace: np.Namespace, Name: np.Name}] = np
	x.changed()
}

// DeletePolicy forgets a NetworkPolicy.
func (x *Index) DeletePolicy(np *networkingv1.NetworkPolicy) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.policies, types.NamespacedName{Namespace: np.Namespace, Name: np.Name})
	x.changed()
}

// SetService records a Service's selector (the cluster DNS's gives the
// DNS pods' labels) and its ports (a named target port of a Service
// without endpoints is resolved on the pods it selects).
func (x *Index) SetService(s *corev1.Service) {
	ref := flow.ServiceRef{Namespace: s.Namespace, Name: s.Name}
	ports := make([]corev1.ServicePort, 0, len(s.Spec.Ports))
	for _, p := range s.Spec.Ports {
		ports = append(ports, corev1.ServicePort{Port: p.Port, Protocol: p.Protocol, TargetPort: p.TargetPort})
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.services[ref] = s.Spec.Selector
	x.svcPorts[ref] = ports
	x.changed()
}

// DeleteService forgets a Service.
func (x *Index) DeleteService(s *corev1.Service) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.services, flow.ServiceRef{Namespace: s.Namespace, Name: s.Name})
	delete(x.svcPorts, flow.ServiceRef{Namespace: s.Namespace, Name: s.Name})
	x.changed()
}

// SetEndpointSlice records the API server's endpoints from the slices of
// the kubernetes Service in default: policies must allow those addresses
// and ports, not its ClusterIP. Other slices are not needed.
func (x *Index) SetEndpointSlice(es *discoveryv1.EndpointSlice) {
	if !apiServerSlice(es) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.apiSlices[es.Name] = sliceEndpoints(es)
	x.changed()
}

// DeleteEndpointSlice forgets an API server slice.
func (x *Index) DeleteEndpointSlice(es *discoveryv1.EndpointSlice) {
	if !apiServerSlice(es) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.apiSlices, es.Name)
	x.changed()
}

func apiServerSlice(es *discoveryv1.EndpointSlice) bool {
	return es.Namespace == "default" && es.Labels[discoveryv1.LabelServiceName] == "kubernetes"
}

func sliceEndpoints(sl *discoveryv1.EndpointSlice) []policy.APIEndpoint {
	var out []policy.APIEndpoint
	for _, ep := range sl.Endpoints {
		for _, addr := range ep.Addresses {
			ip, err := netip.ParseAddr(addr)
			if err != nil {
				continue
			}
			for _, p := range sl.Ports {
				if p.Port != nil {
					out = append(out, policy.APIEndpoint{IP: ip, Port: *p.Port})
				}
			}
		}
	}
	return out
}

func sortEndpoints(eps []policy.APIEndpoint) []policy.APIEndpoint {
	slices.SortFunc(eps, func(a, b policy.APIEndpoint) int {
		if c := a.IP.Compare(b.IP); c != 0 {
			return c
		}
		return int(a.Port - b.Port)
	})
	return slices.Compact(eps)
}
