package policy

import (
	"slices"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Writing a finding's message and fix is most of what a finding costs: the
// fix names the peer's selection, narrowed against every other workload of
// the peer's namespace. A namespace-wide default deny finds a few hundred,
// and an admission review shows ten (issue 17). With CheckInput.TextLimit,
// Check writes the texts of the first findings only.

// bareFinding is the finding of a hit without its message and fix: what
// newFinding writes but the texts.
func bareFinding(c *Cluster, f flow.Flow, policy string, o outcome) Finding {
	f.Failed = 0 // the finding is about the connects that succeeded
	return Finding{Class: classify(c, f), Flow: f, Policy: policy, PeerSide: o.peer, OwnSideAllowed: !o.own, Partial: o.partial}
}

// lazyTexts reports whether Check may leave the texts of hits to
// writeTexts: foldServicePeers matches findings by their fix, so hits on a
// Service peer need every text written first.
func lazyTexts(limit int, hits []hit) bool {
	return limit > 0 && !slices.ContainsFunc(hits, func(h hit) bool { return h.key().Peer.Kind == flow.PeerService })
}

// writeTexts gives the first limit findings their message and fix and
// takes them from the others. A finding's texts depend on its edge and
// outcome only, never on the counts or processes merged into it, so they
// are written from the finding itself.
func writeTexts(sels *selections, findings []Finding, limit int, lazy bool) {
	for i := range findings {
		fd := &findings[i]
		switch {
		case i >= limit:
			fd.Message, fd.Fix = "", ""
		case lazy && fd.Message == "":
			o := outcome{blocked: true, own: !fd.OwnSideAllowed, peer: fd.PeerSide, partial: fd.Partial}
			fd.Message, fd.Fix = findingTexts(sels, fd.Flow.Workload, fd.Class, fd.Flow, o)
		}
	}
}
