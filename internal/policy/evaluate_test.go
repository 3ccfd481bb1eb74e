package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var (
	evalNamespaces = map[string]map[string]string{
		"x": {"ns": "x", MetadataNameLabel: "x"},
		"y": {"ns": "y", "team": "blue", MetadataNameLabel: "y"},
	}
	ing, egr = networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress
	all      = map[string]string{}
	client   = map[string]string{"app": "client"}
	server   = map[string]string{"app": "server"}

	clientX = makePod("x", "198.18.0.1", client)
	serverX = makePod("x", "198.18.0.2", server,
		NamedPort{Name: "http", Port: 8080, Protocol: corev1.ProtocolTCP}, NamedPort{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP})
	clientY = makePod("y", "198.18.1.1", client)
	serverZ = makePod("z", "198.18.2.2", server)
	ext     = external("203.0.113.7")
)

func conn(src, dst Endpoint, port int32) Connection {
	return Connection{Source: src, Destination: dst, Port: port}
}

func hostNet(ep Endpoint) Endpoint {
	p := *ep.Pod
	p.HostNetwork = true
	ep.Pod = &p
	return ep
}

func withLabels(ep Endpoint, l map[string]string) Endpoint {
	p := *ep.Pod
	p.Labels = l
	ep.Pod = &p
	return ep
}

// Each case is one rule of DESIGN.md "NetworkPolicy rules".
func TestEvaluateSemantics(t *testing.T) {
	denyIngress := makePolicy("x", "deny", all, emptyIngress)
	udpConn := conn(clientX, serverX, 53)
	udpConn.Protocol = corev1.ProtocolUDP
	tests := []struct {
		name     string
		policies []networkingv1.NetworkPolicy
		conn     Connection
		want     bool
	}{
		{"no policy allows everything", nil, conn(clientX, serverX, 80), true},
		{"ingress deny-all isolates", []networkingv1.NetworkPolicy{denyIngress}, conn(clientX, serverX, 80), false},
		{"ingress-only policy leaves egress open", []networkingv1.NetworkPolicy{denyIngress}, conn(serverX, ext, 443), true},
		{"default policyTypes add Egress when egress rules exist",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, egressRule(nil, tcp(53)))}, conn(clientX, serverX, 80), false},
		{"default policyTypes without egress rules leave egress open",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server)}, conn(serverX, ext, 443), true},
		{"policyTypes Egress ignores ingress rules",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, types(egr), emptyIngress)}, conn(clientX, serverX, 80), true},
		{"absent egress rules with policyTypes Egress deny",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", client, types(egr))}, conn(clientX, ext, 443), false},
		{"empty from allows every source, external too",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers()))}, conn(ext, serverX, 80), true},
		{"empty to allows every destination",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", client, types(egr), egressRule(nil))}, conn(clientX, ext, 9), true},
		{"podSelector peer is the policy's namespace only",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(podPeer(client))))}, conn(clientY, serverX, 80), false},
		{"podSelector peer admits the same namespace",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(podPeer(client))))}, conn(clientX, serverX, 80), true},
		{"podSelector peer never matches an external address",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(podPeer(all))))}, conn(ext, serverX, 80), false},
		{"namespaceSelector admits every pod of the namespace",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(nsPeer(map[string]string{"team": "blue"}))))}, conn(clientY, serverX, 80), true},
		{"namespaceSelector and podSelector in one peer are ANDed",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(nsPodPeer(map[string]string{"ns": "y"}, server))))}, conn(clientY, serverX, 80), false},
		{"namespaceSelector and podSelector in two peers are ORed",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(nsPeer(map[string]string{"ns": "y"}), podPeer(server))))}, conn(clientY, serverX, 80), true},
		{"metadata.name selects a namespace missing from the snapshot",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", client, types(egr), egressRule(peers(nsPeer(map[string]string{MetadataNameLabel: "z"}))))}, conn(clientX, serverZ, 80), true},
		{"named port resolves on the destination pod",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, named("http")))}, conn(clientX, serverX, 8080), true},
		{"named port does not match another number",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, named("http")))}, conn(clientX, serverX, 8081), false},
		{"named port needs the same protocol",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, named("dns")))}, conn(clientX, serverX, 53), false},
		{"named egress port resolves on the destination, not the source",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", client, types(egr), egressRule(nil, named("http")))}, conn(clientX, serverX, 8080), true},
		{"named egress port never matches an external address",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", client, types(egr), egressRule(nil, named("http")))}, conn(clientX, ext, 8080), false},
		{"endPort includes the range",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, portRange(8000, 8100)))}, conn(clientX, serverX, 8100), true},
		{"endPort excludes beyond the range",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, portRange(8000, 8100)))}, conn(clientX, serverX, 8101), false},
		{"protocol defaults to TCP in the policy",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, named("http")))}, udpConn, false},
		{"UDP port matches UDP only",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, udp(53)))}, udpConn, true},
		{"port without number allows every port of the protocol",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, networkingv1.NetworkPolicyPort{}))}, conn(clientX, serverX, 1), true},
		{"ipBlock admits an address inside the CIDR",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", client, types(egr), egressRule(peers(ipPeer("203.0.113.0/24", "203.0.113.0/29"))))}, conn(clientX, external("203.0.113.100"), 1), true},
		{"ipBlock except carves out of the CIDR",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", client, types(egr), egressRule(peers(ipPeer("203.0.113.0/24", "203.0.113.0/29"))))}, conn(clientX, ext, 1), false},
		{"ipBlock matches pod addresses too",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(ipPeer("198.18.0.0/24"))))}, conn(clientX, serverX, 1), true},
		{"ipBlock of the other family never matches",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(ipPeer("fd00:198:18::/48"))))}, conn(clientX, serverX, 1), false},
		{"IPv6 ipBlock admits an IPv6 pod address",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(ipPeer("fd00:198:18::/48"))))}, conn(makePod("x", "fd00:198:18::1", client), serverX, 1), true},
		{"IPv6 ipBlock except carves out of the CIDR",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(ipPeer("fd00:198:18::/48", "fd00:198:18::/64"))))}, conn(makePod("x", "fd00:198:18::1", client), serverX, 1), false},
		{"an IPv4-mapped address matches its IPv4 ipBlock",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(ipPeer("203.0.113.0/24"))))}, conn(external("::ffff:203.0.113.7"), serverX, 1), true},
		{"an ipBlock whose CIDR does not parse matches nothing",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(ipPeer("198.18.0.0/33"))))}, conn(clientX, serverX, 1), false},
		{"an ipBlock with an except that does not parse matches nothing",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(ipPeer("198.18.0.0/16", "bad"))))}, conn(clientX, serverX, 1), false},
		{"an ipBlock beside a selector in one peer matches nothing",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(networkingv1.NetworkPolicyPeer{
				IPBlock: &networkingv1.IPBlock{CIDR: "198.18.0.0/16"}, PodSelector: &metav1.LabelSelector{}})))}, conn(clientX, serverX, 1), false},
		{"an empty peer matches nothing",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(networkingv1.NetworkPolicyPeer{})))}, conn(clientX, serverX, 1), false},
		{"a named port without a name resolves on no numbered port",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, named("")))}, conn(clientX, serverX, 8080), false},
		{"a port 0 allows nothing",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(nil, tcp(0)))}, conn(clientX, serverX, 0), false},
		{"NotIn matches a pod without the key",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(exprPeer("tier", metav1.LabelSelectorOpNotIn, "db"))))}, conn(clientX, serverX, 1), true},
		{"NotIn rejects a listed value",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(exprPeer("app", metav1.LabelSelectorOpNotIn, "client"))))}, conn(clientX, serverX, 1), false},
		{"DoesNotExist matches a pod without the key",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(exprPeer("tier", metav1.LabelSelectorOpDoesNotExist))))}, conn(clientX, serverX, 1), true},
		{"Exists rejects a pod without the key",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(exprPeer("tier", metav1.LabelSelectorOpExists))))}, conn(clientX, serverX, 1), false},
		{"In rejects a pod without the key",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(exprPeer("tier", metav1.LabelSelectorOpIn, ""))))}, conn(clientX, serverX, 1), false},
		{"matchLabels with an empty value rejects a pod without the key",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(podPeer(map[string]string{"tier": ""}))))}, conn(clientX, serverX, 1), false},
		{"matchLabels with an empty value matches the key with an empty value",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(podPeer(map[string]string{"tier": ""}))))}, conn(withLabels(clientX, map[string]string{"tier": ""}), serverX, 1), true},
		{"policies are additive: one allow beats a deny-all",
			[]networkingv1.NetworkPolicy{denyIngress, makePolicy("x", "p", server, ingressRule(peers(podPeer(client))))}, conn(clientX, serverX, 80), true},
		{"egress allowed at the source is not enough",
			[]networkingv1.NetworkPolicy{denyIngress, makePolicy("x", "e", client, types(egr), egressRule(nil))}, conn(clientX, serverX, 80), false},
		{"ingress allowed at the destination is not enough",
			[]networkingv1.NetworkPolicy{makePolicy("x", "e", client, types(egr)), makePolicy("x", "p", server, ingressRule(nil))}, conn(clientX, serverX, 80), false},
		{"a policy selects pods of its own namespace only",
			[]networkingv1.NetworkPolicy{makePolicy("y", "deny", all, emptyIngress)}, conn(clientY, serverX, 80), true},
		{"host-network pods are never isolated",
			[]networkingv1.NetworkPolicy{denyIngress}, conn(clientX, hostNet(serverX), 80), true},
		{"host-network peers are not matched by selectors",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(nsPeer(all))))}, conn(hostNet(clientX), serverX, 80), false},
		{"host-network peers are matched by ipBlock",
			[]networkingv1.NetworkPolicy{makePolicy("x", "p", server, ingressRule(peers(ipPeer("198.18.0.1/32"))))}, conn(hostNet(clientX), serverX, 80), true},
		{"an invalid podSelector selects nothing",
			[]networkingv1.NetworkPolicy{{ObjectMeta: metav1.ObjectMeta{Namespace: "x", Name: "bad"}, Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "Bogus"}}}}}},
			conn(clientX, serverX, 80), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.policies, evalNamespaces, tt.conn)
			if got.Allowed != tt.want {
				t.Fatalf("Allowed = %v, want %v; verdict %+v", got.Allowed, tt.want, got)
			}
		})
	}
}

func TestEvaluateExplains(t *testing.T) {
	policies := []networkingv1.NetworkPolicy{
		makePolicy("x", "deny", all, emptyIngress),
		makePolicy("x", "allow-client", server, ingressRule(peers(podPeer(client)), tcp(80)), ingressRule(nil, tcp(80), tcp(443))),
		makePolicy("x", "egress", client, types(egr), egressRule(peers(podPeer(server)), tcp(81))),
	}
	got := Evaluate(policies, evalNamespaces, conn(clientX, serverX, 80))
	want := Verdict{
		Allowed: false,
		Egress:  Side{Isolated: true, Allowed: false, Isolating: []string{"x/egress"}},
		Ingress: Side{
			Isolated: true, Allowed: true,
			AllowedBy: []RuleRef{{Policy: "x/allow-client", Rule: 0}, {Policy: "x/allow-client", Rule: 1}},
			Isolating: []string{"x/deny"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Evaluate (-want +got):\n%s", diff)
	}
}
