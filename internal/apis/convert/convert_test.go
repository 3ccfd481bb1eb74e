package convert

import (
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Process names reach kubectl get baselines, topologies and the review
// resources through Flow: escaped and bounded there.
func TestFlowSanitizesTheProcess(t *testing.T) {
	got := Flow(flow.Flow{Key: flow.Key{Process: "ja\x1b[8mva\x07"}}).Process
	if want := `ja\x1b[8mva\x07`; got != want {
		t.Errorf("process = %q, want %q", got, want)
	}
}
