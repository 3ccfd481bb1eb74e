package policy

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// A policy that selects on a label only the pods carry (job-name, set by
// the Job controller, not the CronJob's template) touches the workload and
// blocks its flows when the snapshot lists its pods' own labels.
func TestCheckSeesPodOnlyLabels(t *testing.T) {
	c := overlapCluster()
	cleanup := c.Workloads[cleanupRef]
	cleanup.Pods = []PodInfo{{Name: "cart-cleanup-29123-abcde", IPs: cleanup.IPs,
		Labels: map[string]string{"app": "cart", "component": "cleanup", "job-name": "cart-cleanup-29123"}}}
	c.Workloads[cleanupRef] = cleanup
	deny := makePolicy("shop", "deny-run", map[string]string{"job-name": "cart-cleanup-29123"}, types(egr))
	change := Change{Operation: Create, New: &deny}
	if diff := cmp.Diff([]flow.WorkloadRef{cleanupRef}, Touched(c, change)); diff != "" {
		t.Errorf("Touched (-want +got):\n%s", diff)
	}
	f := mkFlow(flow.Egress, wl(dbRef), corev1.ProtocolTCP, 5432)
	f.Workload = cleanupRef
	r := Check(CheckInput{Cluster: c, Change: change, Baselines: []flow.Baseline{{Workload: cleanupRef, Flows: []flow.Flow{f}}}})
	if len(r.Findings) != 1 {
		t.Errorf("findings = %+v, want the job's egress to db", r.Findings)
	}
}

// Replicas in two families: an ipBlock allowing only IPv4 lets half the
// pairs through, and the finding says the block is partial.
func TestCheckReportsPartialBlocks(t *testing.T) {
	c := unitCluster()
	web := c.Workloads[webRef]
	web.Pods = []PodInfo{{IPs: []netip.Addr{netip.MustParseAddr("198.18.1.2"), netip.MustParseAddr("fd00::12")}}}
	c.Workloads[webRef] = web
	onlyV4 := makePolicy("shop", "api-out", map[string]string{"app": "api"}, types(egr), egressRule(peers(ipPeer("198.18.0.0/16")), tcp(80)))
	r := Check(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &onlyV4},
		Baselines: []flow.Baseline{{Workload: appRef, Flows: []flow.Flow{mkFlow(flow.Egress, wl(webRef), corev1.ProtocolTCP, 80)}}}})
	if len(r.Findings) != 1 || !r.Findings[0].Partial ||
		r.Findings[0].Message != "egress to shop/web TCP 80 (in-cluster peer) is not allowed for some of the pods' addresses" {
		t.Errorf("findings = %+v, want one partial block", r.Findings)
	}
}
