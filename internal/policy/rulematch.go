package policy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// rule is one ingress or egress rule prepared for matching: ports and peers
// as flat values, CIDRs parsed, selectors with their pairs. A compiled
// policy prepares its rules the first time one is matched and keeps them;
// with the index cache that is once for as long as the policy's version
// stays, where matching the API types parsed each CIDR and ranged over
// each selector's map at every connection (issue 17).
type rule struct {
	ports []portMatcher // empty: every port and protocol
	peers []peerMatcher // empty: every peer, external addresses too
}

// portMatcher is a NetworkPolicyPort: the protocol defaults to TCP; no
// port means every port of the protocol; endPort makes a range; a named
// port resolves on the destination pod by name and protocol.
type portMatcher struct {
	protocol corev1.Protocol
	any      bool // no port given
	isNamed  bool
	named    string
	from, to int32
}

// peerMatcher is a NetworkPolicyPeer. A peer the API server would reject
// (nothing set, ipBlock with a selector, an invalid selector or CIDR)
// matches nothing.
type peerMatcher struct {
	never bool
	// ipBlock: cidr, except; bad: a CIDR did not parse.
	ipBlock bool
	cidr    netip.Prefix
	except  []netip.Prefix
	bad     bool
	// Selectors: a nil namespace selector means the policy's namespace.
	ns, pod selector
}

// rulesOf prepares the rules of both directions of np.
func rulesOf(np *networkingv1.NetworkPolicy) *preparedRules {
	r := &preparedRules{ingress: make([]rule, len(np.Spec.Ingress)), egress: make([]rule, len(np.Spec.Egress))}
	for i := range np.Spec.Ingress {
		r.ingress[i] = newRule(np.Spec.Ingress[i].Ports, np.Spec.Ingress[i].From)
	}
	for i := range np.Spec.Egress {
		r.egress[i] = newRule(np.Spec.Egress[i].Ports, np.Spec.Egress[i].To)
	}
	return r
}

// preparedRules are a policy's rules, by direction.
type preparedRules struct{ ingress, egress []rule }

func newRule(ports []networkingv1.NetworkPolicyPort, peers []networkingv1.NetworkPolicyPeer) rule {
	r := rule{ports: make([]portMatcher, len(ports)), peers: make([]peerMatcher, len(peers))}
	for i := range ports {
		r.ports[i] = newPortMatcher(&ports[i])
	}
	for i := range peers {
		r.peers[i] = newPeerMatcher(&peers[i])
	}
	return r
}

func newPortMatcher(p *networkingv1.NetworkPolicyPort) portMatcher {
	m := portMatcher{protocol: protocolOf(ptrValue(p.Protocol))}
	switch {
	case p.Port == nil:
		m.any = true
	case p.Port.Type == intstr.String:
		m.isNamed, m.named = true, p.Port.StrVal
	default:
		m.from, m.to = p.Port.IntVal, p.Port.IntVal
		if p.EndPort != nil {
			m.to = *p.EndPort
		}
	}
	return m
}

func newPeerMatcher(p *networkingv1.NetworkPolicyPeer) peerMatcher {
	if p.IPBlock != nil {
		if p.PodSelector != nil || p.NamespaceSelector != nil {
			return peerMatcher{never: true}
		}
		m := peerMatcher{ipBlock: true}
		var err error
		m.cidr, err = netip.ParsePrefix(p.IPBlock.CIDR)
		m.bad = err != nil
		for _, e := range p.IPBlock.Except {
			ex, err := netip.ParsePrefix(e)
			m.bad = m.bad || err != nil
			m.except = append(m.except, ex)
		}
		return m
	}
	if p.PodSelector == nil && p.NamespaceSelector == nil {
		return peerMatcher{never: true}
	}
	return peerMatcher{ns: newSelector(p.NamespaceSelector), pod: newSelector(p.PodSelector)}
}
