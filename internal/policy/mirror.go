package policy

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// connection names one connection between two workloads whichever end's
// baseline saw it: the client, the server, the server's port and protocol.
type connection struct {
	client, server flow.WorkloadRef
	port           int32
	proto          corev1.Protocol
}

// connectionOfFlow is the connection of a flow to a workload peer; ok is
// false for other peers (those have one end only).
func connectionOfFlow(f *flow.Flow) (connection, bool) {
	if f.Peer.Kind != flow.PeerWorkload {
		return connection{}, false
	}
	c := connection{client: f.Workload, server: f.Peer.Workload, port: f.Port, proto: protocolOf(f.Protocol)}
	if f.Direction == flow.Ingress {
		c.client, c.server = c.server, c.client
	}
	return c, true
}

// dropMirrors keeps one finding per connection that both ends' baselines
// saw (the client's egress and the server's ingress are one connection,
// which Check judges from each side): the one whose own side the change
// blocks, else the client's. A mirror of an excluded finding goes too: the
// user dropped that peer on purpose. findings is overwritten; kept is an
// empty map to work in (nil: a new one), left empty.
func dropMirrors(findings, excluded []Finding, kept map[connection]*Finding) []Finding {
	if kept == nil {
		kept = make(map[connection]*Finding, len(findings)+len(excluded))
	}
	defer clear(kept)
	for _, list := range [][]Finding{excluded, findings} {
		for i := range list {
			if c, ok := connectionOfFlow(&list[i].Flow); ok && preferred(&list[i], kept[c]) {
				kept[c] = &list[i]
			}
		}
	}
	// Compacted in place (Check owns the merged findings): position i is
	// compared with kept before anything is written at or after it.
	out := findings[:0]
	for i := range findings {
		c, ok := connectionOfFlow(&findings[i].Flow)
		if !ok || kept[c] == &findings[i] {
			out = append(out, findings[i])
		}
	}
	return out
}

// preferred reports whether f should stand for its connection over cur
// (nil: none yet).
func preferred(f, cur *Finding) bool {
	switch {
	case cur == nil:
		return true
	case f.OwnSideAllowed != cur.OwnSideAllowed:
		return !f.OwnSideAllowed
	}
	return f.Flow.Direction == flow.Egress && cur.Flow.Direction == flow.Ingress
}
