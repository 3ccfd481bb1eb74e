package policy

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// A named port never resolves on a host-network destination: it is node
// traffic, which policies reach by ipBlock and numeric port only.
func TestNamedPortNeverMatchesAHostNetworkDestination(t *testing.T) {
	metrics := NamedPort{Name: "metrics", Port: 9100, Protocol: corev1.ProtocolTCP}
	src := makePod("shop", "198.18.1.1", map[string]string{"app": "api"})
	pol := makePolicy("shop", "scrape", map[string]string{"app": "api"}, types(egr), egressRule(peers(ipPeer("198.18.0.0/16")), named("metrics")))
	tests := []struct {
		name        string
		hostNetwork bool
		want        bool
	}{
		{"pod network", false, true},
		{"host network", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := makePod("kube-system", "198.18.255.1", map[string]string{"app": "agent"}, metrics)
			dst.Pod.HostNetwork = tt.hostNetwork
			v := Evaluate([]networkingv1.NetworkPolicy{pol}, nil, Connection{Source: src, Destination: dst, Port: 9100, Protocol: corev1.ProtocolTCP})
			if v.Allowed != tt.want {
				t.Errorf("allowed = %v, want %v", v.Allowed, tt.want)
			}
		})
	}
}

// A host-network workload's pods run on several nodes: the recommendation
// allows every address of it, not the first.
func TestRecommendAllowsAHostNetworkPeerAtAllItsAddresses(t *testing.T) {
	c := unitCluster()
	agent := c.Workloads[hostRef]
	agent.IPs = []netip.Addr{netip.MustParseAddr("198.18.255.2"), netip.MustParseAddr("198.18.255.1")}
	agent.Pods = []PodInfo{{IPs: []netip.Addr{netip.MustParseAddr("198.18.255.1")}}, {IPs: []netip.Addr{netip.MustParseAddr("198.18.255.2")}},
		{IPs: []netip.Addr{netip.MustParseAddr("fd00::3")}}}
	c.Workloads[hostRef] = agent
	rec, err := Recommend(c, flow.Baseline{Workload: appRef, Flows: []flow.Flow{mkFlow(flow.Ingress, wl(hostRef), corev1.ProtocolTCP, 8080)}}, Adjustments{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rec.Spec.Ingress[0].From {
		got = append(got, p.IPBlock.CIDR)
	}
	if diff := cmp.Diff([]string{"198.18.255.1/32", "198.18.255.2/32", "fd00::3/128"}, got); diff != "" {
		t.Errorf("ingress peers (-want +got):\n%s", diff)
	}
}

func TestRecommendRefusesANilCluster(t *testing.T) {
	_, err := Recommend(nil, flow.Baseline{Workload: appRef}, Adjustments{})
	if !errors.Is(err, ErrNoCluster) {
		t.Errorf("Recommend(nil) error = %v, want ErrNoCluster", err)
	}
}

// Two allowed CIDRs of equal length that contain the address are the same
// network: the alias written must not depend on the order they were given.
func TestRecommendAliasDoesNotDependOnOrder(t *testing.T) {
	c := unitCluster()
	b := flow.Baseline{Workload: appRef, Flows: []flow.Flow{mkFlow(flow.Egress, ipPeerOf(flow.PeerExternal, "203.0.113.7"), corev1.ProtocolTCP, 443)}}
	one := AllowCIDR{CIDR: netip.MustParsePrefix("203.0.113.0/28"), Alias: "payments"}
	two := AllowCIDR{CIDR: netip.MustParsePrefix("203.0.113.5/28"), Alias: "billing"}
	var aliases []string
	for _, allow := range [][]AllowCIDR{{one, two}, {two, one}} {
		rec, err := Recommend(c, b, Adjustments{Allow: allow})
		if err != nil {
			t.Fatal(err)
		}
		aliases = append(aliases, rec.Annotations[AliasesAnnotation])
	}
	if aliases[0] != aliases[1] || aliases[0] != `{"203.0.113.0/28":"billing"}` {
		t.Errorf("aliases by order = %q, want both {\"203.0.113.0/28\":\"billing\"}", aliases)
	}
}
