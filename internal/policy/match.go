package policy

import (
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// matches reports whether the rule of a policy in policyNS allows conn in
// direction dir: the peer is the source for ingress, the destination for
// egress; ports always resolve on the destination.
func (r *rule) matches(policyNS string, dir networkingv1.PolicyType, conn Connection, namespaces map[string]map[string]string) bool {
	other := conn.Destination
	if dir == networkingv1.PolicyTypeIngress {
		other = conn.Source
	}
	return r.matchesPort(conn) && r.matchesPeer(policyNS, other, namespaces)
}

func (r *rule) matchesPeer(policyNS string, ep Endpoint, namespaces map[string]map[string]string) bool {
	if len(r.peers) == 0 {
		return true
	}
	for i := range r.peers {
		if r.peers[i].matches(policyNS, ep, namespaces) {
			return true
		}
	}
	return false
}

func (p *peer) matches(policyNS string, ep Endpoint, namespaces map[string]map[string]string) bool {
	switch {
	case p.invalid:
		return false
	case p.ipBlock:
		return p.matchesIP(ep)
	}
	pod := selectable(ep)
	if pod == nil {
		return false
	}
	if p.namespaces == nil {
		if pod.Namespace != policyNS {
			return false
		}
	} else if !p.namespaces.Matches(nsLabels{name: pod.Namespace, set: namespaces[pod.Namespace]}) {
		return false
	}
	return p.pods == nil || p.pods.Matches(labels.Set(pod.Labels))
}

func (p *peer) matchesIP(ep Endpoint) bool {
	if !ep.IP.IsValid() || !p.cidr.Contains(ep.IP) {
		return false
	}
	for _, ex := range p.except {
		if ex.Contains(ep.IP) {
			return false
		}
	}
	return true
}

func (r *rule) matchesPort(conn Connection) bool {
	if len(r.ports) == 0 {
		return true
	}
	for i := range r.ports {
		if r.ports[i].matches(conn) {
			return true
		}
	}
	return false
}

// matches resolves a named port on the destination pod by name and
// protocol; a destination that is not a pod has no named ports.
func (p *port) matches(conn Connection) bool {
	if p.protocol != conn.Protocol {
		return false
	}
	switch {
	case p.any:
		return true
	case p.name == "":
		return p.from <= conn.Port && conn.Port <= p.to && p.from > 0
	}
	dst := conn.Destination.Pod
	if dst == nil {
		return false
	}
	for _, np := range dst.Ports {
		proto := np.Protocol
		if proto == "" {
			proto = "TCP"
		}
		if np.Name == p.name && proto == p.protocol && np.Port == conn.Port {
			return true
		}
	}
	return false
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
