package policy

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// peerKindsWorld is one workload whose egress goes to NodeLocal DNSCache,
// to a Service scaled to zero (no endpoints) and to an address whose owner
// at the flow's time is no longer known.
func peerKindsWorld() (*Cluster, flow.Baseline) {
	app := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "app"}
	c := &Cluster{
		Workloads: map[flow.WorkloadRef]Workload{app: {Ref: app, Labels: map[string]string{"app": "app"}}},
		Services:  map[flow.ServiceRef]map[string]string{{Namespace: "shop", Name: "cart"}: {"app": "cart"}},
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	mk := func(p flow.Peer, port int32, proto corev1.Protocol) flow.Flow {
		return flow.Flow{Key: flow.Key{Workload: app, Direction: flow.Egress, Peer: p, Port: port, Protocol: proto}, Count: 1, FirstSeen: at, LastSeen: at}
	}
	b := flow.Baseline{Workload: app, Flows: []flow.Flow{
		mk(flow.Peer{Kind: flow.PeerNodeLocalDNS, IP: netip.MustParseAddr("169.254.20.10")}, 53, corev1.ProtocolUDP),
		mk(flow.Peer{Kind: flow.PeerService, Service: flow.ServiceRef{Namespace: "shop", Name: "cart", Port: 80}}, 8080, corev1.ProtocolTCP),
		mk(flow.Peer{Kind: flow.PeerUnresolved, IP: netip.MustParseAddr("198.18.0.50")}, 5432, corev1.ProtocolTCP),
	}}
	return c, b
}

func TestCheckNamesNewPeerKinds(t *testing.T) {
	c, b := peerKindsWorld()
	deny := makePolicy("shop", "deny", map[string]string{"app": "app"}, types(networkingv1.PolicyTypeEgress))
	r := Check(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny}, Baselines: []flow.Baseline{b}})
	var got []string
	for _, f := range r.Findings {
		got = append(got, string(f.Class)+": "+f.Fix)
	}
	want := []string{
		"DNS: add an egress rule to ipBlock 169.254.20.10/32 on UDP and TCP 53",
		"Peer: add an egress rule to namespace shop pods app=cart on TCP 8080",
		"Unresolved: add an egress rule to whatever held 198.18.0.50 when the flow was seen on TCP 5432 (no longer known; not an ipBlock: it may have been a pod)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range r.Findings {
		if strings.Contains(f.Message, "external") {
			t.Errorf("a finding calls its peer external: %s", f.Message)
		}
	}
}

func TestRecommendNewPeerKinds(t *testing.T) {
	c, b := peerKindsWorld()
	np, err := Recommend(c, b, Adjustments{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range np.Spec.Egress {
		for _, p := range r.To {
			switch {
			case p.IPBlock != nil:
				got = append(got, "ipBlock "+p.IPBlock.CIDR)
			case p.PodSelector != nil:
				got = append(got, "pods "+canonical(p.PodSelector.MatchLabels))
			}
		}
		for _, p := range r.Ports {
			got = append(got, "port "+p.Port.String())
		}
	}
	want := []string{"pods app=cart", "port 8080", "ipBlock 169.254.20.10/32", "port 53", "port 53"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recommended egress (-want +got); the unresolved address must get no rule:\n%s", diff)
	}
}
