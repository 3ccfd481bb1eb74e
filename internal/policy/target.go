package policy

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// target is what a rule must name to allow one observed peer: pods by
// namespace and labels, or an ipBlock. It is comparable, so rules group by
// it; its ordering is the order of peers in a recommended rule.
type target struct {
	// namespace and pods (a canonical "k=v,k=v") select pods; sameNS omits
	// the namespaceSelector.
	namespace string
	pods      string
	sameNS    bool
	cidr      netip.Prefix
	// dns: both UDP and TCP 53 are allowed whatever was seen.
	dns bool
}

// targetFor returns the target for flow f of workload self. ok is false
// for a workload peer missing from the snapshot, or an external address no
// adjustment allows.
func targetFor(c *Cluster, self flow.WorkloadRef, f flow.Flow, adj Adjustments) (target, bool) {
	if t, ok := dnsTarget(c, f); ok {
		return t, true
	}
	switch f.Peer.Kind {
	case flow.PeerWorkload:
		w, ok := c.Workloads[f.Peer.Workload]
		if !ok {
			return target{}, false
		}
		if w.HostNetwork {
			return hostTarget(w.IPs, f.Peer.IP)
		}
		return target{namespace: w.Ref.Namespace, pods: selectorCanonical(w), sameNS: w.Ref.Namespace == self.Namespace}, true
	case flow.PeerNode, flow.PeerAPIServer, flow.PeerNodeLocalDNS:
		return hostTarget(nil, f.Peer.IP)
	case flow.PeerService:
		return serviceTarget(c, self, f.Peer.Service)
	case flow.PeerExternal:
		if c.isAPIServer(f.Peer.IP) {
			return hostTarget(nil, f.Peer.IP)
		}
		if a, ok := adj.allowFor(f.Peer.IP); ok {
			return target{cidr: a.CIDR.Masked()}, true
		}
	}
	return target{}, false
}

// hostTarget is an ipBlock of one address of a node or host-network pod.
func hostTarget(ips []netip.Addr, ip netip.Addr) (target, bool) {
	if !ip.IsValid() && len(ips) > 0 {
		ip = ips[0]
	}
	if !ip.IsValid() {
		return target{}, false
	}
	return target{cidr: netip.PrefixFrom(ip, ip.BitLen())}, true
}

func containsLabels(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// canonical renders labels as sorted "k=v" pairs joined by commas.
func canonical(l map[string]string) string {
	pairs := make([]string, 0, len(l))
	for k, v := range l {
		pairs = append(pairs, k+"="+v)
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

// selectorCanonical is canonical(w.SelectorLabels()) without copying the
// labels in the common case.
func selectorCanonical(w Workload) string {
	l := w.Labels
	if s := w.Selector; s != nil && len(s.MatchExpressions) == 0 && len(s.MatchLabels) > 0 && !hasChurning(s.MatchLabels) {
		l = s.MatchLabels
	}
	pairs := make([]string, 0, len(l))
	for k, v := range l {
		if !slices.Contains(churningLabels, k) {
			pairs = append(pairs, k+"="+v)
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

func parseCanonical(s string) map[string]string {
	out := map[string]string{}
	if s == "" {
		return out
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

// peer renders the target as a NetworkPolicyPeer.
func (t target) peer() networkingv1.NetworkPolicyPeer {
	if t.cidr.IsValid() {
		return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: t.cidr.String()}}
	}
	p := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: parseCanonical(t.pods)}}
	if !t.sameNS {
		p.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{MetadataNameLabel: t.namespace}}
	}
	return p
}

// describe names the target in a suggested fix.
func (t target) describe() string {
	if t.cidr.IsValid() {
		return "ipBlock " + t.cidr.String()
	}
	pods := t.pods
	if pods == "" {
		pods = "(all)"
	}
	return "namespace " + t.namespace + " pods " + pods
}

// compare orders selector targets (by namespace, then labels) before
// ipBlocks (by address, then length).
func (t target) compare(o target) int {
	if a, b := t.cidr.IsValid(), o.cidr.IsValid(); a != b {
		if a {
			return 1
		}
		return -1
	}
	if t.cidr.IsValid() {
		return cmp.Or(t.cidr.Addr().Compare(o.cidr.Addr()), cmp.Compare(t.cidr.Bits(), o.cidr.Bits()))
	}
	return cmp.Or(strings.Compare(t.namespace, o.namespace), strings.Compare(t.pods, o.pods))
}

// protocolOf defaults an empty protocol to TCP.
func protocolOf(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// serviceTarget selects the pods of a Service that had no endpoints by its
// selector (policies apply after DNAT: the ClusterIP never matches).
func serviceTarget(c *Cluster, self flow.WorkloadRef, s flow.ServiceRef) (target, bool) {
	sel := c.Services[flow.ServiceRef{Namespace: s.Namespace, Name: s.Name}]
	if len(sel) == 0 {
		return target{}, false
	}
	return target{namespace: s.Namespace, pods: canonical(sel), sameNS: s.Namespace == self.Namespace}, true
}
