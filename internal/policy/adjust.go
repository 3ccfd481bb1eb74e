package policy

import (
	"net/netip"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Adjustments are what the user decided about one workload's peers: extra
// CIDRs to allow (usually external services) and peers to leave out.
type Adjustments struct {
	Allow   []AllowCIDR `json:"allow,omitempty"`
	Exclude []Exclusion `json:"exclude,omitempty"`
}

// AllowCIDR allows a CIDR the recommendation would otherwise leave out
// (external addresses are never allowed without one). Alias is the user's
// name for it, written in the policy's annotation.
type AllowCIDR struct {
	CIDR  netip.Prefix `json:"cidr"`
	Alias string       `json:"alias,omitempty"`
}

// Exclusion leaves a peer out: a workload (any Service in front of it), or
// every address inside a CIDR. Exactly one is set.
type Exclusion struct {
	Workload flow.WorkloadRef `json:"workload,omitzero"`
	CIDR     netip.Prefix     `json:"cidr,omitzero"`
}

// Excludes reports whether the user left the peer out.
func (a Adjustments) Excludes(p flow.Peer) bool {
	for _, e := range a.Exclude {
		if e.matches(p) {
			return true
		}
	}
	return false
}

func (e Exclusion) matches(p flow.Peer) bool {
	if !e.Workload.IsZero() {
		return p.Kind == flow.PeerWorkload && p.Workload == e.Workload
	}
	return e.CIDR.IsValid() && p.IP.IsValid() && e.CIDR.Contains(p.IP)
}

// allowFor returns the allowed CIDR that contains ip, the narrowest first.
// CIDRs of equal length that contain ip are one network: among them the
// alias is chosen by its value (a named one first, then the smallest), so
// that it does not depend on the order the user listed them in.
func (a Adjustments) allowFor(ip netip.Addr) (AllowCIDR, bool) {
	best, found := AllowCIDR{}, false
	for _, al := range a.Allow {
		if !al.CIDR.IsValid() || !al.CIDR.Contains(ip) {
			continue
		}
		if !found || al.CIDR.Bits() > best.CIDR.Bits() || al.CIDR.Bits() == best.CIDR.Bits() && betterAlias(al.Alias, best.Alias) {
			best, found = al, true
		}
	}
	return best, found
}

func betterAlias(a, b string) bool {
	if (a == "") != (b == "") {
		return a != ""
	}
	return a < b
}
