package netns

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// plug creates the veth pair of pod p: hostName in the node namespace with
// the gateway addresses and host routes to the pod, eth0 in the pod with its
// addresses and default routes through the gateway.
func (n *Node) plug(p *Pod, hostName string) error {
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: hostName},
		PeerName:      "eth0",
		PeerNamespace: netlink.NsFd(p.ns),
	}
	if err := n.nl.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s: %w", hostName, err)
	}
	host, err := linkByName(n.nl, hostName)
	if err != nil {
		return err
	}
	if err := configureEnd(n.nl, host, gatewayAddrs()); err != nil {
		return err
	}
	if err := addHostRoutes(n.nl, host, p); err != nil {
		return err
	}
	return configurePod(p)
}

func gatewayAddrs() []*netlink.Addr {
	return []*netlink.Addr{
		{IPNet: ipNet(GatewayV4)},
		{IPNet: &net.IPNet{IP: GatewayV6.AsSlice(), Mask: net.CIDRMask(64, 128)}, Flags: unix.IFA_F_NODAD},
	}
}

// configureEnd adds addrs to l and sets it up. IPv6 addresses skip duplicate
// address detection so they are usable at once.
func configureEnd(nl *netlink.Handle, l netlink.Link, addrs []*netlink.Addr) error {
	for _, a := range addrs {
		if err := nl.AddrAdd(l, a); err != nil {
			return fmt.Errorf("add address %s to %s: %w", a.IPNet, l.Attrs().Name, err)
		}
	}
	if err := nl.LinkSetUp(l); err != nil {
		return fmt.Errorf("set %s up: %w", l.Attrs().Name, err)
	}
	return nil
}

func addHostRoutes(nl *netlink.Handle, host netlink.Link, p *Pod) error {
	for _, addr := range podAddrs(p) {
		r := &netlink.Route{LinkIndex: host.Attrs().Index, Dst: ipNet(addr), Scope: netlink.SCOPE_LINK}
		if err := nl.RouteAdd(r); err != nil {
			return fmt.Errorf("route %s to pod %s: %w", addr, p.Name, err)
		}
	}
	return nil
}

// configurePod sets up lo and eth0 inside the pod with default routes
// through the gateway.
func configurePod(p *Pod) error {
	nl, err := netlink.NewHandleAt(p.ns)
	if err != nil {
		return fmt.Errorf("open netlink in pod %s: %w", p.Name, err)
	}
	defer nl.Close()
	if err := linkUp(nl, "lo"); err != nil {
		return err
	}
	eth0, err := linkByName(nl, "eth0")
	if err != nil {
		return err
	}
	var addrs []*netlink.Addr
	for _, a := range podAddrs(p) {
		addrs = append(addrs, &netlink.Addr{IPNet: ipNet(a), Flags: unix.IFA_F_NODAD})
	}
	if err := configureEnd(nl, eth0, addrs); err != nil {
		return err
	}
	return addDefaultRoutes(nl, eth0, p)
}

func addDefaultRoutes(nl *netlink.Handle, eth0 netlink.Link, p *Pod) error {
	idx := eth0.Attrs().Index
	routes := []*netlink.Route{}
	if p.IPv4.IsValid() {
		routes = append(routes,
			&netlink.Route{LinkIndex: idx, Dst: ipNet(GatewayV4), Scope: netlink.SCOPE_LINK},
			&netlink.Route{LinkIndex: idx, Gw: GatewayV4.AsSlice()})
	}
	if p.IPv6.IsValid() {
		routes = append(routes, &netlink.Route{LinkIndex: idx, Gw: GatewayV6.AsSlice()})
	}
	for _, r := range routes {
		if err := nl.RouteAdd(r); err != nil {
			return fmt.Errorf("add route %v in pod %s: %w", r, p.Name, err)
		}
	}
	return nil
}

// podAddrs returns the pod's valid addresses.
func podAddrs(p *Pod) []netip.Addr {
	var out []netip.Addr
	for _, a := range []netip.Addr{p.IPv4, p.IPv6} {
		if a.IsValid() {
			out = append(out, a)
		}
	}
	return out
}
