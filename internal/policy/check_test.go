package policy

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// A deny-all for api (both directions) blocks each observed flow; each
// finding is classified and says how to fix it.
func TestCheckClassifiesAndSuggests(t *testing.T) {
	deny := makePolicy("shop", "deny", map[string]string{"app": "api"}, types(ing, egr))
	tcpP, udpP := corev1.ProtocolTCP, corev1.ProtocolUDP
	tests := []struct {
		name string
		f    flow.Flow
		want Finding
	}{
		{"DNS", mkFlow(flow.Egress, wl(dnsRef), tcpP, 53), Finding{Class: ClassDNS,
			Message: "egress to kube-system/coredns TCP 53 (DNS) is not allowed",
			Fix:     "add an egress rule to namespace kube-system pods k8s-app=kube-dns on UDP and TCP 53"}},
		{"NodeLocal DNS", mkFlow(flow.Egress, ipPeerOf(flow.PeerNode, "169.254.20.10"), udpP, 53), Finding{Class: ClassDNS,
			Message: "egress to node 169.254.20.10 UDP 53 (DNS) is not allowed",
			Fix:     "add an egress rule to ipBlock 169.254.20.10/32 on UDP and TCP 53"}},
		{"external", mkFlow(flow.Egress, ipPeerOf(flow.PeerExternal, "203.0.113.7"), tcpP, 27017), Finding{Class: ClassExternal,
			Message: "egress to external 203.0.113.7 TCP 27017 (external address) is not allowed",
			Fix:     "add an egress rule to ipBlock 203.0.113.7/32 on TCP 27017, or exclude the peer if it is no longer needed"}},
		{"peer", mkFlow(flow.Egress, wl(dbRef), tcpP, 5432), Finding{Class: ClassPeer,
			Message: "egress to data/db TCP 5432 (in-cluster peer) is not allowed",
			Fix:     "add an egress rule to namespace data pods app=db on TCP 5432"}},
		{"ingress peer", mkFlow(flow.Ingress, wl(webRef), tcpP, 8080), Finding{Class: ClassPeer,
			Message: "ingress from shop/web TCP 8080 (in-cluster peer) is not allowed",
			Fix:     "add an ingress rule from namespace shop pods app=web on TCP 8080"}},
		{"API server", mkFlow(flow.Egress, ipPeerOf(flow.PeerAPIServer, "198.18.255.10"), tcpP, 6443), Finding{Class: ClassAPIServer,
			Message: "egress to apiserver 198.18.255.10 TCP 6443 (API server) is not allowed",
			Fix:     "add an egress rule to ipBlock 198.18.255.10/32 on TCP 6443 (the API server endpoint, not the kubernetes Service's ClusterIP)"}},
		{"API server endpoint the resolver left external", mkFlow(flow.Egress, ipPeerOf(flow.PeerExternal, "198.18.255.10"), tcpP, 6443), Finding{Class: ClassAPIServer,
			Message: "egress to external 198.18.255.10 TCP 6443 (API server) is not allowed",
			Fix:     "add an egress rule to ipBlock 198.18.255.10/32 on TCP 6443 (the API server endpoint, not the kubernetes Service's ClusterIP)"}},
		{"node", mkFlow(flow.Ingress, ipPeerOf(flow.PeerNode, "198.18.255.1"), tcpP, 8080), Finding{Class: ClassNode,
			Message: "ingress from node 198.18.255.1 TCP 8080 (node or host-network pod) is not allowed",
			Fix:     "add an ingress rule from ipBlock 198.18.255.1/32 on TCP 8080 (no pod or namespace selector can match it)"}},
		{"host-network pod", mkFlow(flow.Egress, wl(hostRef), tcpP, 9100), Finding{Class: ClassNode,
			Message: "egress to kube-system/agent TCP 9100 (node or host-network pod) is not allowed",
			Fix:     "add an egress rule to ipBlock 198.18.255.1/32 on TCP 9100 (no pod or namespace selector can match it)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Check(CheckInput{Cluster: unitCluster(), Change: Change{Operation: Create, New: &deny},
				Baselines: []flow.Baseline{{Workload: appRef, Flows: []flow.Flow{tt.f}}}})
			tt.want.Flow, tt.want.Policy = tt.f, "shop/deny"
			if diff := cmp.Diff([]Finding{tt.want}, r.Findings, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckOnlyReportsWhatChanges(t *testing.T) {
	allowDB := makePolicy("shop", "allow-db", map[string]string{"app": "api"}, types(egr), egressRule(peers(nsPeer(map[string]string{MetadataNameLabel: "data"})), tcp(5432)))
	denyAll := makePolicy("shop", "deny", map[string]string{}, types(ing, egr))
	blockedBefore := makePolicy("data", "deny", map[string]string{}, types(ing))
	flows := []flow.Flow{
		mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, 5432),
		mkFlow(flow.Egress, wl(webRef), corev1.ProtocolTCP, 80),
	}
	tests := []struct {
		name     string
		existing []networkingv1.NetworkPolicy
		change   Change
		want     []int32 // ports of the findings
	}{
		{"allowed by another policy stays allowed, blocked before is no news", []networkingv1.NetworkPolicy{allowDB}, Change{Operation: Create, New: &denyAll}, nil},
		{"already blocked at the destination is no new problem", []networkingv1.NetworkPolicy{blockedBefore}, Change{Operation: Create, New: &denyAll}, []int32{80}},
		{"deleting the allowing policy blocks under the deny-all", []networkingv1.NetworkPolicy{allowDB, denyAll}, Change{Operation: Delete, Old: &allowDB}, []int32{5432}},
		{"update narrowing the policy", []networkingv1.NetworkPolicy{allowDB},
			Change{Operation: Update, Old: &allowDB, New: ptr(makePolicy("shop", "allow-db", map[string]string{"app": "api"}, types(egr), egressRule(nil, tcp(80))))}, []int32{5432}},
		{"a policy for the peer blocks at the peer's side", nil, Change{Operation: Create, New: ptr(makePolicy("shop", "web", map[string]string{"app": "web"}, types(ing, egr)))}, []int32{80}},
		{"a policy for pods no flow reaches touches nothing", nil, Change{Operation: Create, New: ptr(makePolicy("shop", "other", map[string]string{"app": "other"}, types(ing, egr)))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Check(CheckInput{Cluster: unitCluster(), Policies: tt.existing, Change: tt.change,
				Baselines: []flow.Baseline{{Workload: appRef, Flows: flows}}})
			var got []int32
			for _, fd := range r.Findings {
				got = append(got, fd.Flow.Port)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("finding ports (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckMergesProcessesAndListsExclusionsApart(t *testing.T) {
	deny := makePolicy("shop", "deny", map[string]string{"app": "api"}, types(egr))
	a := mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, 5432)
	b := a
	b.Process, b.Count, b.LastSeen = "psql", 4, t0.Add(time.Hour)
	ext := mkFlow(flow.Egress, ipPeerOf(flow.PeerExternal, "203.0.113.7"), corev1.ProtocolTCP, 443)
	r := Check(CheckInput{Cluster: unitCluster(), Change: Change{Operation: Create, New: &deny},
		Baselines:   []flow.Baseline{{Workload: appRef, Flows: []flow.Flow{a, b, ext}}},
		Adjustments: map[flow.WorkloadRef]Adjustments{appRef: {Exclude: []Exclusion{{CIDR: netip.MustParsePrefix("203.0.113.0/24")}}}}})
	if len(r.Findings) != 1 || len(r.Excluded) != 1 {
		t.Fatalf("report = %+v, want one finding and one exclusion", r)
	}
	got := r.Findings[0].Flow
	if got.Process != "api,psql" || got.Count != 5 || !got.LastSeen.Equal(t0.Add(time.Hour)) {
		t.Errorf("merged flow = %+v, want processes api,psql, count 5, last seen +1h", got)
	}
	if r.Excluded[0].Class != ClassExternal {
		t.Errorf("excluded class = %s, want External", r.Excluded[0].Class)
	}
}

func ptr[T any](v T) *T { return &v }
