package resolve

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// apiServerService is the Service whose endpoints are the API server.
var apiServerService = types.NamespacedName{Namespace: "default", Name: "kubernetes"}

// svcAddr is a Service's ClusterIP, port and protocol as a client sees them.
type svcAddr struct {
	ip    netip.Addr
	port  int32
	proto corev1.Protocol
}

// svcPort is the Service and the name of its port behind a svcAddr.
type svcPort struct {
	svc      types.NamespacedName
	portName string
	port     int32
	// target is the Service's numeric target port (the port itself when
	// unset); 0 for a named one, which only endpoints resolve.
	target int32
}

// slice is what the index keeps of an EndpointSlice.
type slice struct {
	ports     []discoveryv1.EndpointPort
	endpoints []endpoint
}

type endpoint struct {
	addrs []netip.Addr
	pod   *types.NamespacedName // target pod, if any
}

// services indexes Services by ClusterIP and EndpointSlices by Service.
type services struct {
	byAddr map[svcAddr]svcPort
	addrs  map[types.NamespacedName][]svcAddr // to undo a Service's entries
	slices map[types.NamespacedName]map[string]slice
}

func newServices() services {
	return services{
		byAddr: map[svcAddr]svcPort{},
		addrs:  map[types.NamespacedName][]svcAddr{},
		slices: map[types.NamespacedName]map[string]slice{},
	}
}

func (s *services) set(svc *corev1.Service) {
	name := types.NamespacedName{Namespace: svc.Namespace, Name: svc.Name}
	s.delete(name)
	ips := svc.Spec.ClusterIPs
	if len(ips) == 0 && svc.Spec.ClusterIP != "" {
		ips = []string{svc.Spec.ClusterIP}
	}
	for _, raw := range ips {
		ip, err := netip.ParseAddr(raw) // "None" (headless) fails and is skipped
		if err != nil {
			continue
		}
		for _, p := range svc.Spec.Ports {
			a := svcAddr{ip: ip, port: p.Port, proto: protocolOr(p.Protocol)}
			s.byAddr[a] = svcPort{svc: name, portName: p.Name, port: p.Port, target: numericTarget(p)}
			s.addrs[name] = append(s.addrs[name], a)
		}
	}
}

func numericTarget(p corev1.ServicePort) int32 {
	switch {
	case p.TargetPort.Type == intstr.String && p.TargetPort.StrVal != "":
		return 0
	case p.TargetPort.IntVal != 0:
		return p.TargetPort.IntVal
	}
	return p.Port
}

func (s *services) delete(name types.NamespacedName) {
	for _, a := range s.addrs[name] {
		delete(s.byAddr, a)
	}
	delete(s.addrs, name)
}

func (s *services) setSlice(es *discoveryv1.EndpointSlice) {
	name, ok := sliceService(es)
	if !ok {
		return
	}
	sl := slice{ports: es.Ports}
	for _, e := range es.Endpoints {
		ep := endpoint{}
		for _, raw := range e.Addresses {
			if a, err := netip.ParseAddr(raw); err == nil {
				ep.addrs = append(ep.addrs, a)
			}
		}
		if r := e.TargetRef; r != nil && r.Kind == "Pod" {
			ep.pod = &types.NamespacedName{Namespace: es.Namespace, Name: r.Name}
		}
		sl.endpoints = append(sl.endpoints, ep)
	}
	if s.slices[name] == nil {
		s.slices[name] = map[string]slice{}
	}
	s.slices[name][es.Name] = sl
}

func (s *services) deleteSlice(es *discoveryv1.EndpointSlice) {
	if name, ok := sliceService(es); ok {
		delete(s.slices[name], es.Name)
		if len(s.slices[name]) == 0 {
			delete(s.slices, name)
		}
	}
}

func sliceService(es *discoveryv1.EndpointSlice) (types.NamespacedName, bool) {
	svc, ok := es.Labels[discoveryv1.LabelServiceName]
	return types.NamespacedName{Namespace: es.Namespace, Name: svc}, ok && svc != ""
}

// apiServer reports whether ip:port is an endpoint of the API server; a
// zero port matches any port.
func (s *services) apiServer(ip netip.Addr, port int32) bool {
	for _, sl := range s.slices[apiServerService] {
		if !hasAddr(sl, ip) {
			continue
		}
		if port == 0 {
			return true
		}
		for _, p := range sl.ports {
			if p.Port != nil && *p.Port == port {
				return true
			}
		}
	}
	return false
}

func hasAddr(sl slice, ip netip.Addr) bool {
	for _, e := range sl.endpoints {
		for _, a := range e.addrs {
			if a == ip {
				return true
			}
		}
	}
	return false
}

func protocolOr(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}
