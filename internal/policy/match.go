package policy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// peersMatch: an empty list matches every peer, external addresses too.
func peersMatch(peers []networkingv1.NetworkPolicyPeer, policyNS string, ep Endpoint, namespaces map[string]map[string]string) bool {
	if len(peers) == 0 {
		return true
	}
	for i := range peers {
		if peerMatches(&peers[i], policyNS, ep, namespaces) {
			return true
		}
	}
	return false
}

// peerMatches: an ipBlock matches addresses (pods' too); selectors match
// pods only, never host-network ones. A peer the API server would reject
// (nothing set, ipBlock with a selector, an invalid selector or CIDR)
// matches nothing.
func peerMatches(p *networkingv1.NetworkPolicyPeer, policyNS string, ep Endpoint, namespaces map[string]map[string]string) bool {
	if p.IPBlock != nil {
		return p.PodSelector == nil && p.NamespaceSelector == nil && ipBlockMatches(p.IPBlock, ep.IP)
	}
	if p.PodSelector == nil && p.NamespaceSelector == nil {
		return false
	}
	pod := selectable(ep)
	if pod == nil {
		return false
	}
	if p.NamespaceSelector == nil {
		if pod.Namespace != policyNS {
			return false
		}
	} else if !selectorMatches(newSelector(p.NamespaceSelector), nsLabels{name: pod.Namespace, set: namespaces[pod.Namespace]}) {
		return false
	}
	return p.PodSelector == nil || newSelector(p.PodSelector).matches(labels.Set(pod.Labels))
}

func ipBlockMatches(b *networkingv1.IPBlock, ip netip.Addr) bool {
	ip = ip.Unmap() // an IPv4-mapped IPv6 address is its IPv4 address
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil || !ip.IsValid() || !cidr.Contains(ip) {
		return false
	}
	for _, e := range b.Except {
		ex, err := netip.ParsePrefix(e)
		if err != nil {
			return false
		}
		if ex.Contains(ip) {
			return false
		}
	}
	return true
}

// portsMatch: an empty list matches every port and protocol.
func portsMatch(ports []networkingv1.NetworkPolicyPort, conn Connection) bool {
	if len(ports) == 0 {
		return true
	}
	for i := range ports {
		if portMatches(&ports[i], conn) {
			return true
		}
	}
	return false
}

// portMatches: the protocol defaults to TCP; no port means every port of
// the protocol; endPort makes a range; a named port resolves on the
// destination pod by name and protocol, so it never matches an address
// that is not a pod.
func portMatches(p *networkingv1.NetworkPolicyPort, conn Connection) bool {
	if protocolOf(ptrValue(p.Protocol)) != conn.Protocol {
		return false
	}
	switch {
	case p.Port == nil:
		return true
	case p.Port.Type == intstr.String:
		return namedPortMatches(p.Port.StrVal, conn)
	}
	from, to := p.Port.IntVal, p.Port.IntVal
	if p.EndPort != nil {
		to = *p.EndPort
	}
	return from > 0 && from <= conn.Port && conn.Port <= to
}

// namedPortMatches never resolves on a host-network destination: its
// traffic is node traffic, which policies match by ipBlock and number only.
func namedPortMatches(name string, conn Connection) bool {
	dst := selectable(conn.Destination)
	if dst == nil {
		return false
	}
	for _, np := range dst.Ports {
		if np.Name == name && protocolOf(np.Protocol) == conn.Protocol && np.Port == conn.Port {
			return true
		}
	}
	return false
}

func ptrValue(p *corev1.Protocol) corev1.Protocol {
	if p == nil {
		return ""
	}
	return *p
}

// nsLabels are a namespace's labels with kubernetes.io/metadata.name always
// present, as the API server guarantees, without copying the map.
type nsLabels struct {
	name string
	set  map[string]string
}

func (n nsLabels) Has(key string) bool { _, ok := n.Lookup(key); return ok }

func (n nsLabels) Get(key string) string { v, _ := n.Lookup(key); return v }

func (n nsLabels) Lookup(key string) (string, bool) {
	if v, ok := n.set[key]; ok {
		return v, true
	}
	if key == MetadataNameLabel {
		return n.name, true
	}
	return "", false
}
