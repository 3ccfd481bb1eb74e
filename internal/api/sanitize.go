package api

import "github.com/netpol-advisor/netpol-advisor/internal/flow"

// sanitized returns b with every process name escaped and bounded by
// flow.SanitizeProcess: process names are a node's word and reach a
// terminal (the CLI's tables) or the page. b's flows are not modified.
func sanitized(b flow.Baseline) flow.Baseline {
	flows := make([]flow.Flow, len(b.Flows))
	for i, f := range b.Flows {
		f.Process = flow.SanitizeProcess(f.Process)
		flows[i] = f
	}
	b.Flows = flows
	return b
}
