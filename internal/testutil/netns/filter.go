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
	return n.RejectWith(proto, dst, "admin-prohibited")
}

// RejectWith is Reject with another ICMP error: "admin-prohibited",
// "host-unreachable", "port-unreachable" or "no-route" (nftables' icmpx
// types, sent as ICMP or ICMPv6 to match dst's family): what REJECT rules
// and routers that cannot reach a host send.
func (n *Node) RejectWith(proto string, dst netip.AddrPort, icmpx string) error {
	switch icmpx {
	case "admin-prohibited", "host-unreachable", "port-unreachable", "no-route":
	default:
		return fmt.Errorf("reject %s/%s with %q: want admin-prohibited, host-unreachable, port-unreachable or no-route", proto, dst, icmpx)
	}
	return n.filterRule(proto, dst, "reject with icmpx type "+icmpx)
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
