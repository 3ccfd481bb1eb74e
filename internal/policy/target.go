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

// targetsFor returns what a rule must name to allow flow f of workload
// self: one target, or one ipBlock per address of a host-network peer. ok
// is false for a workload peer missing from the snapshot, or an external
// address no adjustment allows.
func targetsFor(sels *selections, self flow.WorkloadRef, f flow.Flow, adj Adjustments) ([]target, bool) {
	c := sels.c
	if t, ok := dnsTarget(c, f); ok {
		return []target{t}, true
	}
	switch f.Peer.Kind {
	case flow.PeerWorkload:
		w, ok := c.Workloads[f.Peer.Workload]
		if !ok {
			return nil, false
		}
		if w.HostNetwork {
			return hostTargets(addresses(w), f.Peer.IP)
		}
		return []target{{namespace: w.Ref.Namespace, pods: sels.of(w).canon, sameNS: w.Ref.Namespace == self.Namespace}}, true
	case flow.PeerNode, flow.PeerAPIServer, flow.PeerNodeLocalDNS:
		return hostTargets(nil, f.Peer.IP)
	case flow.PeerService:
		return serviceTargets(c, self, f.Peer.Service)
	case flow.PeerExternal:
		if c.isAPIServer(f.Peer.IP) {
			return hostTargets(nil, f.Peer.IP)
		}
		if a, ok := adj.allowFor(f.Peer.IP); ok {
			return []target{{cidr: a.CIDR.Masked()}}, true
		}
	}
	return nil, false
}

// hostTargets are ipBlocks of a node or of every address of a host-network
// workload (its pods run on several nodes, in one or two families): the
// address seen, when the flow has one, and all the workload's.
func hostTargets(ips []netip.Addr, seen netip.Addr) ([]target, bool) {
	if seen.IsValid() && !slices.Contains(ips, seen) {
		ips = append([]netip.Addr{seen}, ips...)
	}
	out := make([]target, 0, len(ips))
	for _, ip := range ips {
		if ip.IsValid() {
			out = append(out, target{cidr: netip.PrefixFrom(ip, ip.BitLen())})
		}
	}
	slices.SortFunc(out, target.compare)
	return out, len(out) > 0
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

// selectionCanonical renders a selection as canonical matchLabels
// followed by "!key" for each key that must be absent (label keys never
// hold '!', ',' or '=').
func selectionCanonical(sel podSelection) string {
	out := canonical(sel.labels)
	for _, k := range sel.absent {
		if out != "" {
			out += ","
		}
		out += "!" + k
	}
	return out
}

// parseCanonical is the label selector of a canonical rendering.
func parseCanonical(s string) *metav1.LabelSelector {
	ls := &metav1.LabelSelector{MatchLabels: map[string]string{}}
	if s == "" {
		return ls
	}
	for _, kv := range strings.Split(s, ",") {
		if k, ok := strings.CutPrefix(kv, "!"); ok {
			ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{Key: k, Operator: metav1.LabelSelectorOpDoesNotExist})
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		ls.MatchLabels[k] = v
	}
	return ls
}

// peer renders the target as a NetworkPolicyPeer.
func (t target) peer() networkingv1.NetworkPolicyPeer {
	if t.cidr.IsValid() {
		return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: t.cidr.String()}}
	}
	p := networkingv1.NetworkPolicyPeer{PodSelector: parseCanonical(t.pods)}
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

// describeTargets names several targets: ipBlocks are listed together.
func describeTargets(ts []target) string {
	if len(ts) == 1 {
		return ts[0].describe()
	}
	cidrs := make([]string, 0, len(ts))
	for _, t := range ts {
		if !t.cidr.IsValid() {
			return t.describe()
		}
		cidrs = append(cidrs, t.cidr.String())
	}
	return "ipBlocks " + strings.Join(cidrs, ", ")
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

// serviceTargets select the pods of a Service that had no endpoints by its
// selector (policies apply after DNAT: the ClusterIP never matches).
func serviceTargets(c *Cluster, self flow.WorkloadRef, s flow.ServiceRef) ([]target, bool) {
	sel := c.Services[flow.ServiceRef{Namespace: s.Namespace, Name: s.Name}]
	if len(sel) == 0 {
		return nil, false
	}
	return []target{{namespace: s.Namespace, pods: canonical(sel), sameNS: s.Namespace == self.Namespace}}, true
}
