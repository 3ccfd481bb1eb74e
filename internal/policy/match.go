package policy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// matches reports whether the rule allows conn, whose peer end is ep
// (the source for ingress, the destination for egress); ports always
// resolve on the destination.
func (r *rule) matches(policyNS string, conn Connection, ep Endpoint, namespaces map[string]map[string]string) bool {
	return portsMatch(r.ports, conn) && peersMatch(r.peers, policyNS, ep, namespaces)
}

func peersMatch(peers []peerMatcher, policyNS string, ep Endpoint, namespaces map[string]map[string]string) bool {
	if len(peers) == 0 {
		return true
	}
	for i := range peers {
		if peers[i].matches(policyNS, ep, namespaces) {
			return true
		}
	}
	return false
}

// matches: an ipBlock matches addresses (pods' too); selectors match pods
// only, never host-network ones.
func (p *peerMatcher) matches(policyNS string, ep Endpoint, namespaces map[string]map[string]string) bool {
	switch {
	case p.never:
		return false
	case p.ipBlock:
		return p.ipMatches(ep.IP)
	}
	pod := selectable(ep)
	if pod == nil {
		return false
	}
	if !p.ns.present() {
		if pod.Namespace != policyNS {
			return false
		}
	} else if !selectorMatches(p.ns, nsLabels{name: pod.Namespace, set: namespaces[pod.Namespace]}) {
		return false
	}
	return !p.pod.present() || p.pod.matches(labels.Set(pod.Labels))
}

func (p *peerMatcher) ipMatches(ip netip.Addr) bool {
	ip = ip.Unmap() // an IPv4-mapped IPv6 address is its IPv4 address
	if p.bad || !ip.IsValid() || !p.cidr.Contains(ip) {
		return false
	}
	for _, ex := range p.except {
		if ex.Contains(ip) {
			return false
		}
	}
	return true
}

func portsMatch(ports []portMatcher, conn Connection) bool {
	if len(ports) == 0 {
		return true
	}
	for i := range ports {
		if ports[i].matches(conn) {
			return true
		}
	}
	return false
}

func (p *portMatcher) matches(conn Connection) bool {
	switch {
	case p.protocol != conn.Protocol:
		return false
	case p.any:
		return true
	case p.isNamed:
		return namedPortMatches(p.named, conn)
	}
	return p.from > 0 && p.from <= conn.Port && conn.Port <= p.to
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
