package policy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// compiled is a NetworkPolicy with its selectors parsed once.
type compiled struct {
	name      string // namespace/name
	namespace string
	// selector is nil when the podSelector is invalid: the API server would
	// have rejected the policy, so it selects nothing.
	selector        labels.Selector
	ingress, egress bool
	ingressRules    []rule
	egressRules     []rule
}

// rule is one ingress or egress rule: no peers means every peer, no ports
// every port.
type rule struct {
	peers []peer
	ports []port
}

// peer is one from/to entry. Selectors are nil when absent.
type peer struct {
	pods, namespaces labels.Selector
	ipBlock          bool
	cidr             netip.Prefix
	except           []netip.Prefix
	// invalid peers (bad selector or CIDR, or nothing set) match nothing.
	invalid bool
}

// port is one ports entry; any means the port was omitted.
type port struct {
	protocol corev1.Protocol
	any      bool
	name     string
	from, to int32
}

func compile(np *networkingv1.NetworkPolicy) *compiled {
	c := &compiled{name: np.Namespace + "/" + np.Name, namespace: np.Namespace}
	if s, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector); err == nil {
		c.selector = s
	}
	c.ingress, c.egress = policyTypes(np)
	for _, r := range np.Spec.Ingress {
		c.ingressRules = append(c.ingressRules, compileRule(r.From, r.Ports))
	}
	for _, r := range np.Spec.Egress {
		c.egressRules = append(c.egressRules, compileRule(r.To, r.Ports))
	}
	return c
}

// policyTypes applies the API's defaulting: Ingress always, Egress when the
// policy has egress rules, unless policyTypes says otherwise.
func policyTypes(np *networkingv1.NetworkPolicy) (ingress, egress bool) {
	if len(np.Spec.PolicyTypes) == 0 {
		return true, len(np.Spec.Egress) > 0
	}
	for _, t := range np.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			ingress = true
		case networkingv1.PolicyTypeEgress:
			egress = true
		}
	}
	return ingress, egress
}

func compileRule(peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) rule {
	r := rule{}
	for _, p := range peers {
		r.peers = append(r.peers, compilePeer(p))
	}
	for _, p := range ports {
		r.ports = append(r.ports, compilePort(p))
	}
	return r
}

func compilePeer(p networkingv1.NetworkPolicyPeer) peer {
	if p.IPBlock != nil {
		return compileIPBlock(p)
	}
	if p.PodSelector == nil && p.NamespaceSelector == nil {
		return peer{invalid: true}
	}
	out := peer{}
	var err error
	if p.PodSelector != nil {
		if out.pods, err = metav1.LabelSelectorAsSelector(p.PodSelector); err != nil {
			return peer{invalid: true}
		}
	}
	if p.NamespaceSelector != nil {
		if out.namespaces, err = metav1.LabelSelectorAsSelector(p.NamespaceSelector); err != nil {
			return peer{invalid: true}
		}
	}
	return out
}

func compileIPBlock(p networkingv1.NetworkPolicyPeer) peer {
	if p.PodSelector != nil || p.NamespaceSelector != nil {
		return peer{invalid: true}
	}
	cidr, err := netip.ParsePrefix(p.IPBlock.CIDR)
	if err != nil {
		return peer{invalid: true}
	}
	out := peer{ipBlock: true, cidr: cidr.Masked()}
	for _, e := range p.IPBlock.Except {
		ex, err := netip.ParsePrefix(e)
		if err != nil {
			return peer{invalid: true}
		}
		out.except = append(out.except, ex.Masked())
	}
	return out
}

func compilePort(p networkingv1.NetworkPolicyPort) port {
	out := port{protocol: corev1.ProtocolTCP}
	if p.Protocol != nil {
		out.protocol = *p.Protocol
	}
	switch {
	case p.Port == nil:
		out.any = true
	case p.Port.Type == intstr.String:
		out.name = p.Port.StrVal
	default:
		out.from, out.to = p.Port.IntVal, p.Port.IntVal
		if p.EndPort != nil {
			out.to = *p.EndPort
		}
	}
	return out
}
