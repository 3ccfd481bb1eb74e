package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// randomWorld is three namespaces of three pods (some without the "tier"
// label), two external addresses, and a generator of random policies over
// them.
type randomWorld struct {
	namespaces map[string]map[string]string
	endpoints  []Endpoint
}

func newRandomWorld() *randomWorld {
	w := &randomWorld{namespaces: map[string]map[string]string{}}
	for n, ns := range []string{"x", "y", "z"} {
		w.namespaces[ns] = map[string]string{MetadataNameLabel: ns, "ns": ns, "team": []string{"blue", "red", "blue"}[n]}
		for p, pod := range []string{"a", "b", "c"} {
			l := map[string]string{"pod": pod}
			if p != 2 {
				l["tier"] = []string{"web", "db"}[p]
			}
			ports := []NamedPort{{Name: "serve-80-tcp", Port: 80, Protocol: corev1.ProtocolTCP}, {Name: "serve-53-udp", Port: 53, Protocol: corev1.ProtocolUDP}}
			if p == 0 {
				ports = append(ports, NamedPort{Name: "serve-81-tcp", Port: 81})
			}
			ip := netip.AddrFrom4([4]byte{198, 18, byte(n), byte(p + 1)})
			w.endpoints = append(w.endpoints, Endpoint{Pod: &Pod{Namespace: ns, Labels: l, Ports: ports}, IP: ip})
		}
	}
	w.endpoints = append(w.endpoints, Endpoint{IP: netip.MustParseAddr("203.0.113.7")}, Endpoint{IP: netip.MustParseAddr("203.0.113.200")})
	return w
}

var worldPorts = []struct {
	port  int32
	proto corev1.Protocol
}{{80, "TCP"}, {81, "TCP"}, {53, "UDP"}, {80, "UDP"}, {80, "SCTP"}}

// connections are all pairs of endpoints on every world port.
func (w *randomWorld) connections() []Connection {
	var out []Connection
	for _, s := range w.endpoints {
		for _, d := range w.endpoints {
			for _, p := range worldPorts {
				out = append(out, Connection{Source: s, Destination: d, Port: p.port, Protocol: p.proto})
			}
		}
	}
	return out
}

// policies returns one to three random policies.
func (w *randomWorld) policies(r *rand.Rand) []networkingv1.NetworkPolicy {
	var out []networkingv1.NetworkPolicy
	for i := range 1 + r.IntN(3) {
		np := networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: pick(r, "x", "y", "z"), Name: fmt.Sprintf("p%d", i)}}
		np.Spec.PodSelector = *randomSelector(r)
		np.Spec.PolicyTypes = [][]networkingv1.PolicyType{nil, {ing}, {egr}, {ing, egr}}[r.IntN(4)]
		for range r.IntN(3) {
			np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: randomPeers(r), Ports: randomPorts(r)})
		}
		for range r.IntN(3) {
			np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: randomPeers(r), Ports: randomPorts(r)})
		}
		if r.IntN(4) == 0 {
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{}
		}
		out = append(out, np)
	}
	return out
}

func pick[T any](r *rand.Rand, v ...T) T { return v[r.IntN(len(v))] }

// randomSelector never uses NotIn on "tier" (missing on some pods) nor an
// empty matchLabels value: cyclonus disagrees with apimachinery there.
func randomSelector(r *rand.Rand) *metav1.LabelSelector {
	s := &metav1.LabelSelector{}
	switch r.IntN(7) {
	case 0:
	case 1:
		s.MatchLabels = map[string]string{"pod": pick(r, "a", "b", "c")}
	case 2:
		s.MatchLabels = map[string]string{"tier": pick(r, "web", "db")}
	case 3:
		s.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "pod", Operator: metav1.LabelSelectorOpNotIn, Values: []string{pick(r, "a", "b")}}}
	case 4:
		s.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: pick(r, "tier", "pod"), Operator: metav1.LabelSelectorOpIn, Values: []string{"web", "a"}}}
	case 5:
		s.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "tier", Operator: pick(r, metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist)}}
	case 6:
		s.MatchLabels = map[string]string{"pod": pick(r, "a", "c")}
		s.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpExists}}
	}
	return s
}

func randomNSSelector(r *rand.Rand) *metav1.LabelSelector {
	return pick(r, &metav1.LabelSelector{}, &metav1.LabelSelector{MatchLabels: map[string]string{"ns": pick(r, "x", "y")}},
		&metav1.LabelSelector{MatchLabels: map[string]string{"team": "blue"}},
		&metav1.LabelSelector{MatchLabels: map[string]string{MetadataNameLabel: "z"}},
		&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "ns", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"y"}}}})
}

func randomPeers(r *rand.Rand) []networkingv1.NetworkPolicyPeer {
	var out []networkingv1.NetworkPolicyPeer
	for range r.IntN(3) {
		p := networkingv1.NetworkPolicyPeer{}
		switch r.IntN(4) {
		case 0:
			p.PodSelector = randomSelector(r)
		case 1:
			p.NamespaceSelector = randomNSSelector(r)
		case 2:
			p.PodSelector, p.NamespaceSelector = randomSelector(r), randomNSSelector(r)
		case 3:
			p.IPBlock = pick(r, &networkingv1.IPBlock{CIDR: "198.18.0.0/16", Except: []string{"198.18.1.0/24"}},
				&networkingv1.IPBlock{CIDR: "203.0.113.0/24", Except: []string{"203.0.113.128/25"}},
				&networkingv1.IPBlock{CIDR: "198.18.2.1/32"}, &networkingv1.IPBlock{CIDR: "0.0.0.0/0"})
		}
		out = append(out, p)
	}
	return out
}

func randomPorts(r *rand.Rand) []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for range r.IntN(3) {
		p := networkingv1.NetworkPolicyPort{}
		if r.IntN(3) > 0 {
			proto := pick(r, corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP)
			p.Protocol = &proto
		}
		switch r.IntN(5) {
		case 0:
		case 1:
			v := intstr.FromInt32(pick[int32](r, 53, 80, 81))
			p.Port = &v
		case 2:
			v := intstr.FromString(pick(r, "serve-80-tcp", "serve-53-udp", "serve-81-tcp"))
			p.Port = &v
		case 3, 4:
			v, end := intstr.FromInt32(pick[int32](r, 53, 79, 80)), pick[int32](r, 80, 81)
			p.Port, p.EndPort = &v, &end
		}
		out = append(out, p)
	}
	return out
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	out, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprintf("(marshal: %v)", err)
	}
	return string(out)
}
