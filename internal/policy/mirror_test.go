package policy

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// coveredDiff compares Check's reported flows with the brute force's:
// every reported flow is one the brute force blocks, with its verdict, and
// every blocked flow is reported, itself or as the same connection seen by
// its other end (Check reports a connection once).
func coveredDiff[V comparable](want, got map[flow.Key]V) string {
	var b strings.Builder
	conns := map[connection]bool{}
	for k, v := range got {
		if w, ok := want[k]; !ok || w != v {
			fmt.Fprintf(&b, "reported %v: %+v; brute force: %+v (blocked %t)\n", k, v, w, ok)
		}
		if c, ok := connectionOfFlow(&flow.Flow{Key: k}); ok {
			conns[c] = true
		}
	}
	for k := range want {
		if _, ok := got[k]; ok {
			continue
		}
		if c, ok := connectionOfFlow(&flow.Flow{Key: k}); !ok || !conns[c] {
			fmt.Fprintf(&b, "blocked but not reported: %v\n", k)
		}
	}
	return b.String()
}

// TestCheckReportsAConnectionOnce: a connection both ends saw (the
// client's egress, the server's ingress) is one finding, from the end whose
// own side the change blocks; and none when the user excluded the peer
// there.
func TestCheckReportsAConnectionOnce(t *testing.T) {
	c := unitCluster()
	api := webRef
	egress := mkFlow(flow.Egress, wl(api), corev1.ProtocolTCP, 8080)
	egress.Workload = appRef
	ingress := mkFlow(flow.Ingress, wl(appRef), corev1.ProtocolTCP, 8080)
	ingress.Workload = api
	baselines := []flow.Baseline{{Workload: appRef, Flows: []flow.Flow{egress}}, {Workload: api, Flows: []flow.Flow{ingress}}}
	np := networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: appRef.Namespace, Name: "deny"},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: c.Workloads[appRef].Labels},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}}}
	in := CheckInput{Cluster: c, Change: Change{Operation: Create, New: &np}, Baselines: baselines}
	r := Check(in)
	if len(r.Findings) != 1 || r.Findings[0].Flow.Workload != appRef || r.Findings[0].OwnSideAllowed {
		t.Errorf("findings = %+v, want one: %s's own egress", r.Findings, appRef)
	}
	in.Adjustments = map[flow.WorkloadRef]Adjustments{appRef: {Exclude: []Exclusion{{Workload: api}}}}
	if r := Check(in); len(r.Findings) != 0 || len(r.Excluded) != 1 {
		t.Errorf("with %s excluded: findings %+v, excluded %+v; want none and one", api, r.Findings, r.Excluded)
	}
}
