package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Process names in the read API's answers are escaped and bounded, in the
// baseline and in the topology, and the store's flows are left alone.
func TestResponsesSanitizeProcessNames(t *testing.T) {
	w := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	raw := "ja\x1b]0;owned\x07va"
	b := flow.Baseline{Workload: w, Flows: []flow.Flow{{Key: flow.Key{Workload: w, Direction: flow.Egress,
		Peer: flow.Peer{Kind: flow.PeerExternal}, Port: 443, Protocol: "TCP", Process: raw}, Count: 1}}}
	want := `ja\x1b]0;owned\x07va`
	if got := sanitized(b).Flows[0].Process; got != want {
		t.Errorf("baseline process = %q, want %q", got, want)
	}
	if b.Flows[0].Process != raw {
		t.Errorf("sanitized modified its input: %q", b.Flows[0].Process)
	}
	topo := BuildTopology(flow.Window{}, []flow.Baseline{b}, true)
	if diff := cmp.Diff([]string{want}, topo.Edges[0].Processes); diff != "" {
		t.Errorf("topology processes (-want +got):\n%s", diff)
	}
}
