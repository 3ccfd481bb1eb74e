package policy

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// A client whose first datagrams reached a Service before it had endpoints
// (peer: the Service) and the later ones its backends (peer: the workload)
// has one blocked destination, needing one rule: one finding, counts
// merged. The demo's ledger app printed both ("egress to service
// ledger/ledger-statsd UDP 9125 ... seen 1 times" beside "egress to
// ledger/ledger-statsd UDP 9125 ... seen 46 times").
func TestCheckFoldsAServicePeerIntoItsWorkload(t *testing.T) {
	api := flow.WorkloadRef{Namespace: "ledger", Kind: flow.KindDeployment, Name: "api"}
	statsd := flow.WorkloadRef{Namespace: "ledger", Kind: flow.KindDeployment, Name: "statsd"}
	svc := flow.ServiceRef{Namespace: "ledger", Name: "statsd", Port: 8125}
	c := &Cluster{
		Workloads: map[flow.WorkloadRef]Workload{
			api:    {Ref: api, Labels: map[string]string{"app": "api"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.1")}},
			statsd: {Ref: statsd, Labels: map[string]string{"app": "statsd"}, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.2")}},
		},
		Services: map[flow.ServiceRef]map[string]string{{Namespace: "ledger", Name: "statsd"}: {"app": "statsd"}},
	}
	early := mkFlow(flow.Egress, flow.Peer{Kind: flow.PeerService, Service: svc}, corev1.ProtocolUDP, 9125)
	early.Workload, early.Count = api, 1
	later := mkFlow(flow.Egress, flow.Peer{Kind: flow.PeerWorkload, Workload: statsd, Service: svc}, corev1.ProtocolUDP, 9125)
	later.Workload, later.Count = api, 46
	deny := makePolicy("ledger", "api", map[string]string{"app": "api"}, types(networkingv1.PolicyTypeEgress))
	in := CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny},
		Baselines: []flow.Baseline{{Workload: api, Flows: []flow.Flow{early, later}}}}
	r := Check(in)
	if len(r.Findings) != 1 {
		t.Fatalf("findings = %v, want one for statsd", r.Findings)
	}
	if f := r.Findings[0]; f.Flow.Peer.Kind != flow.PeerWorkload || f.Flow.Count != 47 {
		t.Errorf("finding = %s (peer %s, count %d), want the workload peer with both counts", f, f.Flow.Peer.Kind, f.Flow.Count)
	}
	// The fold matches fixes: with a TextLimit, they are still written first.
	in.TextLimit = 1
	if diff := cmp.Diff(r, Check(in), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("report with TextLimit 1 (-without +with):\n%s", diff)
	}
	// Alone (the Service still has no endpoints), it is still found.
	r = Check(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &deny},
		Baselines: []flow.Baseline{{Workload: api, Flows: []flow.Flow{early}}}})
	if len(r.Findings) != 1 || r.Findings[0].Flow.Peer.Kind != flow.PeerService {
		t.Errorf("findings = %v, want the Service peer", r.Findings)
	}
	// A Service selecting other pods needs another rule: not folded, with a
	// TextLimit either (unwritten fixes would all look alike).
	c.Services[flow.ServiceRef{Namespace: "ledger", Name: "statsd"}] = map[string]string{"app": "statsd", "role": "agent"}
	in.TextLimit = 0
	two := Check(in)
	in.TextLimit = 1
	if diff := cmp.Diff(withTexts(two, 1), Check(in), cmpopts.EquateComparable(netip.Addr{})); diff != "" || len(two.Findings) != 2 {
		t.Errorf("findings = %v, want two; with TextLimit 1 (-without +with):\n%s", two.Findings, diff)
	}
}
