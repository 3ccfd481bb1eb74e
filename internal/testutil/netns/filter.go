package netns

import (
	"fmt"
	"net/netip"
	"strings"
)

// Drop makes the node silently drop packets for proto ("tcp" or "udp") to
// dst, as a NetworkPolicy enforcer does: a TCP connect to it times out
// instead of being refused.
func (n *Node) Drop(proto string, dst netip.AddrPort) error {
	return n.filterRule(proto, dst, "drop")
}

// Reject makes the node answer packets for proto to dst with an ICMP
// "administratively prohibited", as enforcers that reject do: a connect
// fails at once as unreachable (EHOSTUNREACH, or EACCES over IPv6).
func (n *Node) Reject(proto string, dst netip.AddrPort) error {
	return n.filterRule(proto, dst, "reject with icmpx type admin-prohibited")
}

func (n *Node) filterRule(proto string, dst netip.AddrPort, verdict string) error {
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" {
		return fmt.Errorf("filter protocol %q: want tcp or udp", proto)
	}
	var script strings.Builder
	if !n.filter {
		fmt.Fprintf(&script, "add table inet %s\n", nftTable)
		fmt.Fprintf(&script, "add chain inet %s forward { type filter hook forward priority filter; policy accept; }\n", nftTable)
	}
	fam := "ip"
	if dst.Addr().Is6() {
		fam = "ip6"
	}
	fmt.Fprintf(&script, "add rule inet %s forward %s daddr %s %s dport %d %s\n", nftTable, fam, dst.Addr(), proto, dst.Port(), verdict)
	if err := n.nft(script.String()); err != nil {
		return fmt.Errorf("%s %s/%s: %w", strings.Fields(verdict)[0], proto, dst, err)
	}
	n.filter = true
	return nil
}
