package policy

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// blockedSummary is what a mismatch metric needs of a Blocked flow.
type blockedSummary struct {
	Class    Class
	Peer     string
	Port     int32
	Policies []string
}

func summarize(bs []Blocked) []blockedSummary {
	var out []blockedSummary
	for _, b := range bs {
		out = append(out, blockedSummary{b.Class, b.Flow.Peer.String(), b.Flow.Port, b.Policies})
	}
	return out
}

// The story with the hand-written policy in force: DNS, the external
// MongoDB and cassandra are blocked by it; with the recommendation in force
// too (policies add up) nothing is, and cassandra, excluded by the user, is
// listed apart.
func TestInForceStory(t *testing.T) {
	f, c := loadStory(t)
	hand := readPolicy(t, "story/handwritten.yaml")
	rec, err := Recommend(c, f.Baseline, f.Adjustments)
	if err != nil {
		t.Fatal(err)
	}
	const by = "example-java-app/javaapp"
	tests := []struct {
		name          string
		policies      []networkingv1.NetworkPolicy
		adj           Adjustments
		want, wantExc []blockedSummary
	}{
		{"hand-written", []networkingv1.NetworkPolicy{hand}, Adjustments{}, []blockedSummary{
			{ClassPeer, "example-java-app/Deployment/example-java-app-cassandra via service example-java-app/example-java-app-cassandra:9042", 9042, []string{by}},
			{ClassExternal, "external 203.0.113.7", 27017, []string{by}},
			{ClassDNS, "kube-system/Deployment/coredns via service kube-system/kube-dns:53", 53, []string{by}},
		}, nil},
		{"hand-written and recommended", []networkingv1.NetworkPolicy{hand, rec}, f.Adjustments, nil, []blockedSummary{
			{ClassPeer, "example-java-app/Deployment/example-java-app-cassandra via service example-java-app/example-java-app-cassandra:9042", 9042,
				[]string{"example-java-app/example-java-app-javaapp", by}},
		}},
		{"none", nil, Adjustments{}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, exc := NewInForce(c, tt.policies).Blocked(f.Baseline, tt.adj)
			if diff := cmp.Diff(tt.want, summarize(got)); diff != "" {
				t.Errorf("blocked (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantExc, summarize(exc)); diff != "" {
				t.Errorf("excluded (-want +got):\n%s", diff)
			}
		})
	}
}

// A flow blocked at the peer's end is attributed to the peer's policy; a
// failed connect alone is no traffic to allow, but Blocking still says
// which policy refused it.
func TestInForcePeerSideAndFailedConnects(t *testing.T) {
	a := flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: "a"}
	b := flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: "b"}
	c := &Cluster{Workloads: map[flow.WorkloadRef]Workload{
		a: {Ref: a, Labels: map[string]string{"app": "a"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.1")}},
		b: {Ref: b, Labels: map[string]string{"app": "b"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.2")}},
	}}
	deny := makePolicy("ns", "deny-b", map[string]string{"app": "b"}, types(ing), emptyIngress)
	toB := func(count, failed uint64, port int32) flow.Flow {
		return flow.Flow{Key: flow.Key{Workload: a, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: b},
			Port: port, Protocol: corev1.ProtocolTCP}, Count: count, Failed: failed}
	}
	x := NewInForce(c, []networkingv1.NetworkPolicy{deny})
	got, _ := x.Blocked(flow.Baseline{Workload: a, Flows: []flow.Flow{toB(3, 0, 8080), toB(0, 2, 9999)}}, Adjustments{})
	want := []blockedSummary{{ClassPeer, "ns/Deployment/b", 8080, []string{"ns/deny-b"}}}
	if diff := cmp.Diff(want, summarize(got)); diff != "" {
		t.Errorf("blocked (-want +got):\n%s", diff)
	}
	fd := x.Explain(got[0])
	if fd.Policy != "ns/deny-b" || fd.Message != "egress to ns/b TCP 8080 (in-cluster peer) is not allowed at the peer's ingress" {
		t.Errorf("Explain = %+v", fd)
	}
	pols, ok := x.Blocking(toB(0, 2, 9999))
	if diff := cmp.Diff([]string{"ns/deny-b"}, pols); !ok || diff != "" {
		t.Errorf("Blocking of the failed connect = %v, %v (-want +got):\n%s", pols, ok, diff)
	}
	unknown := toB(1, 0, 80)
	unknown.Peer.Workload.Name = "gone"
	if _, ok := x.Blocking(unknown); ok {
		t.Error("Blocking of a flow to an unknown workload said ok")
	}
}

// InForce agrees with Evaluate on every flow of a random world.
func TestInForceAgreesWithEvaluate(t *testing.T) {
	s := newSynthetic(60, 10, 40)
	x := NewInForce(s.cluster, s.policies)
	ev := NewEvaluator(s.policies, s.cluster.Namespaces)
	blocked := 0
	for _, b := range s.baselines {
		for _, f := range b.Flows {
			self := endpointOf(s.cluster.Workloads[f.Workload])
			peer := Endpoint{IP: f.Peer.IP}
			if f.Peer.Kind == flow.PeerWorkload {
				peer = endpointOf(s.cluster.Workloads[f.Peer.Workload])
			}
			conn := Connection{Source: self, Destination: peer, Port: f.Port, Protocol: f.Protocol}
			if f.Direction == flow.Ingress {
				conn.Source, conn.Destination = peer, self
			}
			v := ev.Evaluate(conn)
			pols, ok := x.Blocking(f)
			if !ok || (len(pols) > 0) == v.Allowed {
				t.Fatalf("%s: Blocking = %v, %v; Evaluate allowed = %v", fmt.Sprint(f.Key), pols, ok, v.Allowed)
			}
			if len(pols) > 0 {
				blocked++
			}
		}
	}
	if blocked == 0 {
		t.Fatal("the random world blocks nothing: the test proves nothing")
	}
}
