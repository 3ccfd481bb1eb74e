package policy

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Issue 10 item 1: a refused connect from api to web:9999 (count 0, failed
// 1) is evidence that something is closed or blocked, never traffic to
// allow: no rule for it in the recommendation, no warning that a policy
// blocks it; Check lists it apart as a failing connection instead.
func TestFailedConnectsAreNeverTrafficToAllow(t *testing.T) {
	c := unitCluster()
	refused := mkFlow(flow.Egress, wl(webRef), corev1.ProtocolTCP, 9999)
	refused.Count, refused.Failed = 0, 1
	mixed := mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, 5432)
	mixed.Count, mixed.Failed = 3, 2
	b := flow.Baseline{Workload: appRef, Flows: []flow.Flow{refused, mixed}}

	rec, err := Recommend(c, b, Adjustments{})
	if err != nil {
		t.Fatal(err)
	}
	var ports []int32
	for _, r := range rec.Spec.Egress {
		for _, p := range r.Ports {
			ports = append(ports, p.Port.IntVal)
		}
	}
	if diff := cmp.Diff([]int32{5432}, ports); diff != "" {
		t.Errorf("recommended egress ports (-want +got):\n%s", diff)
	}

	deny := makePolicy("shop", "deny", map[string]string{"app": "api"}, types(egr))
	r := Check(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny}, Baselines: []flow.Baseline{b}})
	if len(r.Findings) != 1 || r.Findings[0].Flow.Port != 5432 || r.Findings[0].Flow.Failed != 0 || r.Findings[0].Flow.Count != 3 {
		t.Errorf("findings = %+v, want only the 3 connects to db that succeeded", r.Findings)
	}
	want := []FailedConnect{
		{Class: ClassPeer, Flow: mixed, BlockedBy: []string{"shop/deny"},
			Message: "connects to data/db TCP 5432 are failing (2 failed, 3 succeeded): NetworkPolicy blocks them (shop/deny)"},
		{Class: ClassPeer, Flow: refused, BlockedBy: []string{"shop/deny"},
			Message: "connects to shop/web TCP 9999 are failing (1 failed, 0 succeeded): NetworkPolicy blocks them (shop/deny)"},
	}
	if diff := cmp.Diff(want, r.Failing, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("failing (-want +got):\n%s", diff)
	}
}

// Failing, on its own, names the policies in force that block a failed
// connect at either end, or says that NetworkPolicy does not.
func TestFailingSaysWhetherNetworkPolicyBlocks(t *testing.T) {
	c := unitCluster()
	f := mkFlow(flow.Egress, wl(webRef), corev1.ProtocolTCP, 9999)
	f.Count, f.Failed = 0, 4
	ok := mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, 5432)
	b := []flow.Baseline{{Workload: appRef, Flows: []flow.Flow{f, ok}}}
	tests := []struct {
		name     string
		policies []networkingv1.NetworkPolicy
		want     string
	}{
		{"no policy", nil, "connects to shop/web TCP 9999 are failing (4 failed, 0 succeeded): no NetworkPolicy blocks them: nothing may listen on the port, the peer may be down, or something else drops them"},
		{"the peer's ingress", []networkingv1.NetworkPolicy{makePolicy("shop", "web-in", map[string]string{"app": "web"}, types(ing))},
			"connects to shop/web TCP 9999 are failing (4 failed, 0 succeeded): NetworkPolicy blocks them (shop/web-in)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Failing(c, tt.policies, b)
			if len(got) != 1 || got[0].Message != tt.want {
				t.Errorf("Failing = %+v, want one with message %q", got, tt.want)
			}
		})
	}
}

// The kinds of failure, when the observer tells them apart, say different
// things to the user.
func TestFailedConnectMessageByKind(t *testing.T) {
	tests := []struct {
		refused, timedOut, unreachable uint64
		want                           string
	}{
		{3, 0, 0, "refused: nothing listens on the port"},
		{0, 3, 0, "timed out: the peer may be down, or something on the way drops them"},
		{0, 0, 3, "unreachable: something on the way rejects them with an ICMP error, or there is no route to the peer"},
	}
	for _, tt := range tests {
		fc := FailedConnect{Flow: flow.Flow{Failed: 3}, Refused: tt.refused, TimedOut: tt.timedOut, Unreachable: tt.unreachable}
		if got := fc.reason(); got != tt.want {
			t.Errorf("reason(%d, %d, %d) = %q, want %q", tt.refused, tt.timedOut, tt.unreachable, got, tt.want)
		}
	}
}

// The kinds the observer classified (flow.Failures) reach the finding: a
// connect refused every time says so, and so does one that timed out.
func TestFailingUsesTheObservedKinds(t *testing.T) {
	c := unitCluster()
	tests := []struct {
		name     string
		failures flow.Failures
		want     string
	}{
		{"refused", flow.Failures{Refused: 4}, "refused: nothing listens on the port"},
		{"timed out", flow.Failures{TimedOut: 4}, "timed out: the peer may be down, or something on the way drops them"},
		{"unreachable", flow.Failures{Unreachable: 4}, "unreachable: something on the way rejects them with an ICMP error, or there is no route to the peer"},
		{"mixed", flow.Failures{Refused: 1, TimedOut: 2}, "no NetworkPolicy blocks them: nothing may listen on the port, the peer may be down, or something else drops them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mkFlow(flow.Egress, wl(webRef), corev1.ProtocolTCP, 9999)
			f.Count, f.Failed, f.Failures = 0, 4, tt.failures
			got := Failing(c, nil, []flow.Baseline{{Workload: appRef, Flows: []flow.Flow{f}}})
			if len(got) != 1 || got[0].Refused != tt.failures.Refused || got[0].TimedOut != tt.failures.TimedOut || got[0].Unreachable != tt.failures.Unreachable ||
				got[0].Message != "connects to shop/web TCP 9999 are failing (4 failed, 0 succeeded): "+tt.want {
				t.Errorf("Failing = %+v, want refused %d, timed out %d and a message ending %q", got, tt.failures.Refused, tt.failures.TimedOut, tt.want)
			}
		})
	}
}
