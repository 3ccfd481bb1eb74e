package convert

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Why connects failed reaches the API (refused, timedOut, unreachable,
// saturated like the counts) and comes back from an export unchanged.
func TestFlowCarriesWhyConnectsFailed(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ref := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	f := flow.Flow{Key: flow.Key{Workload: ref, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")},
		Port: 443, Protocol: "TCP"}, Count: 1, Failed: 6, Failures: flow.Failures{Refused: 3, TimedOut: 2, Unreachable: 1}, FirstSeen: at, LastSeen: at}
	got := Flow(f)
	if got.Failed != 6 || got.Refused != 3 || got.TimedOut != 2 || got.Unreachable != 1 {
		t.Fatalf("Flow = failed %d, refused %d, timed out %d, unreachable %d; want 6, 3, 2, 1", got.Failed, got.Refused, got.TimedOut, got.Unreachable)
	}
	back := Flows(ref, v1alpha1.Baseline{Egress: []v1alpha1.Flow{got}})
	if diff := cmp.Diff([]flow.Flow{f}, back, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("Flows(Flow(f)) (-want +got):\n%s", diff)
	}
	f.Refused = math.MaxUint64
	if got := Flow(f); got.Refused != math.MaxInt64 {
		t.Errorf("Flow of a saturated refused = %d, want %d", got.Refused, int64(math.MaxInt64))
	}
}
