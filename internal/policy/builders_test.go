package policy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// makePolicy builds a policy; opts fill its spec.
func makePolicy(ns, name string, selector map[string]string, opts ...func(*networkingv1.NetworkPolicySpec)) networkingv1.NetworkPolicy {
	np := networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: selector}},
	}
	for _, o := range opts {
		o(&np.Spec)
	}
	return np
}

func types(t ...networkingv1.PolicyType) func(*networkingv1.NetworkPolicySpec) {
	return func(s *networkingv1.NetworkPolicySpec) { s.PolicyTypes = t }
}

func ingressRule(peers []networkingv1.NetworkPolicyPeer, ports ...networkingv1.NetworkPolicyPort) func(*networkingv1.NetworkPolicySpec) {
	return func(s *networkingv1.NetworkPolicySpec) {
		s.Ingress = append(s.Ingress, networkingv1.NetworkPolicyIngressRule{From: peers, Ports: ports})
	}
}

func egressRule(peers []networkingv1.NetworkPolicyPeer, ports ...networkingv1.NetworkPolicyPort) func(*networkingv1.NetworkPolicySpec) {
	return func(s *networkingv1.NetworkPolicySpec) {
		s.Egress = append(s.Egress, networkingv1.NetworkPolicyEgressRule{To: peers, Ports: ports})
	}
}

func emptyIngress(s *networkingv1.NetworkPolicySpec) {
	s.Ingress = []networkingv1.NetworkPolicyIngressRule{}
}

func podPeer(l map[string]string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: l}}
}

func nsPeer(l map[string]string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{MatchLabels: l}}
}

func nsPodPeer(ns, pods map[string]string) networkingv1.NetworkPolicyPeer {
	p := nsPeer(ns)
	p.PodSelector = &metav1.LabelSelector{MatchLabels: pods}
	return p
}

func exprPeer(key string, op metav1.LabelSelectorOperator, values ...string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key, Operator: op, Values: values}},
	}}
}

func ipPeer(cidr string, except ...string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: except}}
}

func peers(p ...networkingv1.NetworkPolicyPeer) []networkingv1.NetworkPolicyPeer { return p }

func tcp(port int32) networkingv1.NetworkPolicyPort {
	return portOf(corev1.ProtocolTCP, intstr.FromInt32(port))
}

func udp(port int32) networkingv1.NetworkPolicyPort {
	return portOf(corev1.ProtocolUDP, intstr.FromInt32(port))
}

func named(name string) networkingv1.NetworkPolicyPort {
	p := intstr.FromString(name)
	return networkingv1.NetworkPolicyPort{Port: &p}
}

func portRange(from, to int32) networkingv1.NetworkPolicyPort {
	p := tcp(from)
	p.EndPort = &to
	return p
}

func portOf(proto corev1.Protocol, v intstr.IntOrString) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &v}
}

// makePod builds a pod endpoint with an IP.
func makePod(ns, ip string, l map[string]string, ports ...NamedPort) Endpoint {
	return Endpoint{Pod: &Pod{Namespace: ns, Labels: l, Ports: ports}, IP: netip.MustParseAddr(ip)}
}

func external(ip string) Endpoint { return Endpoint{IP: netip.MustParseAddr(ip)} }
