package netns

import (
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// AddAddress gives pod p one more address, routed to it by the node, so one
// pod can play many peers (a client binding its source address to each).
func (n *Node) AddAddress(p *Pod, a netip.Addr) error {
	nl, err := netlink.NewHandleAt(p.ns)
	if err != nil {
		return fmt.Errorf("open netlink in pod %s: %w", p.Name, err)
	}
	defer nl.Close()
	eth0, err := linkByName(nl, "eth0")
	if err != nil {
		return err
	}
	if err := nl.AddrAdd(eth0, &netlink.Addr{IPNet: ipNet(a), Flags: unix.IFA_F_NODAD}); err != nil {
		return fmt.Errorf("add address %s to pod %s: %w", a, p.Name, err)
	}
	host, err := n.hostEnd(p)
	if err != nil {
		return err
	}
	r := &netlink.Route{LinkIndex: host.Attrs().Index, Dst: ipNet(a), Scope: netlink.SCOPE_LINK}
	if err := n.nl.RouteAdd(r); err != nil {
		return fmt.Errorf("route %s to pod %s: %w", a, p.Name, err)
	}
	return nil
}

// hostEnd finds the node end of p's veth.
func (n *Node) hostEnd(p *Pod) (netlink.Link, error) {
	return linkByName(n.nl, p.veth)
}

// AddNodeAddress gives the node itself one more address (on its loopback),
// which every pod reaches through its default route: a link-local service
// address such as NodeLocal DNSCache's 169.254.20.10, served by a
// host-network process (AddHostNetworkPod).
func (n *Node) AddNodeAddress(a netip.Addr) error {
	lo, err := linkByName(n.nl, "lo")
	if err != nil {
		return err
	}
	if err := n.nl.AddrAdd(lo, &netlink.Addr{IPNet: ipNet(a), Flags: unix.IFA_F_NODAD}); err != nil {
		return fmt.Errorf("add address %s to the node: %w", a, err)
	}
	return nil
}
