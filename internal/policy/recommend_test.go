package policy

import (
	"errors"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

var (
	t0      = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	appRef  = flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	dbRef   = flow.WorkloadRef{Namespace: "data", Kind: flow.KindStatefulSet, Name: "db"}
	webRef  = flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "web"}
	dnsRef  = flow.WorkloadRef{Namespace: "kube-system", Kind: flow.KindDeployment, Name: "coredns"}
	hostRef = flow.WorkloadRef{Namespace: "kube-system", Kind: flow.KindDaemonSet, Name: "agent"}
)

func unitCluster() *Cluster {
	ws := []Workload{
		{Ref: appRef, Labels: map[string]string{"app": "api", "pod-template-hash": "abc"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.1.1")},
			Ports: []NamedPort{{Name: "http", Port: 8080, Protocol: corev1.ProtocolTCP}}},
		{Ref: dbRef, Labels: map[string]string{"app": "db", "controller-revision-hash": "db-1"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.2.1")}},
		{Ref: webRef, Labels: map[string]string{"app": "web"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.1.2")}},
		{Ref: dnsRef, Labels: map[string]string{"k8s-app": "kube-dns"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.2")}},
		{Ref: hostRef, Labels: map[string]string{"app": "agent"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.255.1")}, HostNetwork: true},
	}
	c := &Cluster{Workloads: map[flow.WorkloadRef]Workload{}, APIServer: []APIEndpoint{{IP: netip.MustParseAddr("198.18.255.10"), Port: 6443}}}
	for _, w := range ws {
		c.Workloads[w.Ref] = w
	}
	return c
}

func mkFlow(dir flow.Direction, p flow.Peer, proto corev1.Protocol, port int32) flow.Flow {
	return flow.Flow{Key: flow.Key{Workload: appRef, Direction: dir, Peer: p, Port: port, Protocol: proto, Process: "api"},
		Count: 1, FirstSeen: t0, LastSeen: t0}
}

func wl(ref flow.WorkloadRef) flow.Peer { return flow.Peer{Kind: flow.PeerWorkload, Workload: ref} }

func ipPeerOf(kind flow.PeerKind, ip string) flow.Peer {
	return flow.Peer{Kind: kind, IP: netip.MustParseAddr(ip)}
}

func TestRecommendRules(t *testing.T) {
	tcpP, udpP := corev1.ProtocolTCP, corev1.ProtocolUDP
	tests := []struct {
		name    string
		flows   []flow.Flow
		adj     Adjustments
		ingress []networkingv1.NetworkPolicyIngressRule
		egress  []networkingv1.NetworkPolicyEgressRule
	}{
		{name: "no flow denies both directions"},
		{name: "other namespace by metadata.name, stable labels only",
			flows:  []flow.Flow{mkFlow(flow.Egress, wl(dbRef), tcpP, 5432)},
			egress: []networkingv1.NetworkPolicyEgressRule{{To: peers(nsPodPeer(map[string]string{MetadataNameLabel: "data"}, map[string]string{"app": "db"})), Ports: []networkingv1.NetworkPolicyPort{tcp(5432)}}}},
		{name: "same namespace by podSelector, ingress by target port",
			flows:   []flow.Flow{mkFlow(flow.Ingress, wl(webRef), tcpP, 8080)},
			ingress: []networkingv1.NetworkPolicyIngressRule{{From: peers(podPeer(map[string]string{"app": "web"})), Ports: []networkingv1.NetworkPolicyPort{tcp(8080)}}}},
		{name: "DNS gets UDP and TCP 53 even if only UDP was seen",
			flows:  []flow.Flow{mkFlow(flow.Egress, wl(dnsRef), udpP, 53)},
			egress: []networkingv1.NetworkPolicyEgressRule{{To: peers(nsPodPeer(map[string]string{MetadataNameLabel: "kube-system"}, map[string]string{"k8s-app": "kube-dns"})), Ports: []networkingv1.NetworkPolicyPort{tcp(53), udp(53)}}}},
		{name: "NodeLocal DNSCache by ipBlock",
			flows:  []flow.Flow{mkFlow(flow.Egress, ipPeerOf(flow.PeerNode, "169.254.20.10"), udpP, 53)},
			egress: []networkingv1.NetworkPolicyEgressRule{{To: peers(ipPeer("169.254.20.10/32")), Ports: []networkingv1.NetworkPolicyPort{tcp(53), udp(53)}}}},
		{name: "API server by endpoint IP and port",
			flows:  []flow.Flow{mkFlow(flow.Egress, ipPeerOf(flow.PeerAPIServer, "198.18.255.10"), tcpP, 6443)},
			egress: []networkingv1.NetworkPolicyEgressRule{{To: peers(ipPeer("198.18.255.10/32")), Ports: []networkingv1.NetworkPolicyPort{tcp(6443)}}}},
		{name: "API server endpoint needs no adjustment even if resolved as external",
			flows:  []flow.Flow{mkFlow(flow.Egress, ipPeerOf(flow.PeerExternal, "198.18.255.10"), tcpP, 6443)},
			egress: []networkingv1.NetworkPolicyEgressRule{{To: peers(ipPeer("198.18.255.10/32")), Ports: []networkingv1.NetworkPolicyPort{tcp(6443)}}}},
		{name: "host-network peer by ipBlock, never a selector",
			flows:   []flow.Flow{mkFlow(flow.Ingress, flow.Peer{Kind: flow.PeerWorkload, Workload: hostRef}, tcpP, 8080)},
			ingress: []networkingv1.NetworkPolicyIngressRule{{From: peers(ipPeer("198.18.255.1/32")), Ports: []networkingv1.NetworkPolicyPort{tcp(8080)}}}},
		{name: "external left out without an adjustment",
			flows: []flow.Flow{mkFlow(flow.Egress, ipPeerOf(flow.PeerExternal, "203.0.113.7"), tcpP, 443)}},
		{name: "external allowed by the adjustment's CIDR",
			flows:  []flow.Flow{mkFlow(flow.Egress, ipPeerOf(flow.PeerExternal, "203.0.113.7"), tcpP, 443), mkFlow(flow.Egress, ipPeerOf(flow.PeerExternal, "203.0.113.9"), tcpP, 443)},
			adj:    Adjustments{Allow: []AllowCIDR{{CIDR: netip.MustParsePrefix("203.0.113.0/28"), Alias: "partner"}}},
			egress: []networkingv1.NetworkPolicyEgressRule{{To: peers(ipPeer("203.0.113.0/28")), Ports: []networkingv1.NetworkPolicyPort{tcp(443)}}}},
		{name: "excluded peer left out",
			flows: []flow.Flow{mkFlow(flow.Egress, wl(dbRef), tcpP, 5432)},
			adj:   Adjustments{Exclude: []Exclusion{{Workload: dbRef}}}},
		{name: "peers with equal ports share a rule, consecutive ports become a range",
			flows: []flow.Flow{mkFlow(flow.Egress, wl(dbRef), tcpP, 5432), mkFlow(flow.Egress, wl(dbRef), tcpP, 5433), mkFlow(flow.Egress, wl(dbRef), tcpP, 5434),
				mkFlow(flow.Egress, wl(webRef), tcpP, 5432), mkFlow(flow.Egress, wl(webRef), tcpP, 5433), mkFlow(flow.Egress, wl(webRef), tcpP, 5434)},
			egress: []networkingv1.NetworkPolicyEgressRule{{To: peers(nsPodPeer(map[string]string{MetadataNameLabel: "data"}, map[string]string{"app": "db"}), podPeer(map[string]string{"app": "web"})), Ports: []networkingv1.NetworkPolicyPort{portRange(5432, 5434)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Recommend(unitCluster(), flow.Baseline{Workload: appRef, Flows: tt.flows}, tt.adj)
			if err != nil {
				t.Fatalf("Recommend: %v", err)
			}
			want := networkingv1.NetworkPolicySpec{
				PodSelector: got.Spec.PodSelector,
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
				Ingress:     append([]networkingv1.NetworkPolicyIngressRule{}, tt.ingress...),
				Egress:      append([]networkingv1.NetworkPolicyEgressRule{}, tt.egress...),
			}
			if diff := cmp.Diff(want, got.Spec); diff != "" {
				t.Errorf("spec (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]string{"app": "api"}, got.Spec.PodSelector.MatchLabels); diff != "" {
				t.Errorf("podSelector (-want +got):\n%s", diff)
			}
		})
	}
}

// The controller's selector wins over pod labels that change on upgrades.
func TestRecommendSelectsByControllerSelector(t *testing.T) {
	c := unitCluster()
	for _, ref := range []flow.WorkloadRef{appRef, dbRef} {
		w := c.Workloads[ref]
		w.Labels = maps.Clone(w.Labels)
		w.Labels["version"] = "v2"
		w.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": w.Labels["app"]}}
		c.Workloads[ref] = w
	}
	got, err := Recommend(c, flow.Baseline{Workload: appRef, Flows: []flow.Flow{mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, 5432)}}, Adjustments{})
	if err != nil {
		t.Fatalf("Recommend: %v", err)
	}
	want := networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		Ingress:     []networkingv1.NetworkPolicyIngressRule{},
		Egress: []networkingv1.NetworkPolicyEgressRule{{To: peers(nsPodPeer(map[string]string{MetadataNameLabel: "data"}, map[string]string{"app": "db"})),
			Ports: []networkingv1.NetworkPolicyPort{tcp(5432)}}},
	}
	if diff := cmp.Diff(want, got.Spec); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
}

func TestRecommendIsDeterministic(t *testing.T) {
	var flows []flow.Flow
	for port := int32(1000); port < 1040; port += 3 {
		flows = append(flows, mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, port), mkFlow(flow.Ingress, wl(webRef), corev1.ProtocolUDP, port))
	}
	want, err := Recommend(unitCluster(), flow.Baseline{Workload: appRef, Flows: flows}, Adjustments{})
	if err != nil {
		t.Fatalf("Recommend: %v", err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := slices.Clone(flows)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got, _ := Recommend(unitCluster(), flow.Baseline{Workload: appRef, Flows: shuffled}, Adjustments{})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Recommend depends on flow order (-first +now):\n%s", diff)
		}
	}
}

func TestRecommendErrors(t *testing.T) {
	c := unitCluster()
	bare := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindPod, Name: "bare"}
	c.Workloads[bare] = Workload{Ref: bare, Labels: map[string]string{"pod-template-hash": "x"}}
	tests := []struct {
		ref  flow.WorkloadRef
		want error
	}{
		{flow.WorkloadRef{Namespace: "x", Kind: flow.KindPod, Name: "gone"}, ErrUnknownWorkload},
		{bare, ErrNoStableLabels},
		{hostRef, ErrHostNetwork},
	}
	for _, tt := range tests {
		if _, err := Recommend(c, flow.Baseline{Workload: tt.ref}, Adjustments{}); !errors.Is(err, tt.want) {
			t.Errorf("Recommend(%s) err = %v, want %v", tt.ref, err, tt.want)
		}
	}
}
