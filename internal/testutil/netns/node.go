package netns

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
)

// Gateway addresses every pod routes through. They sit on the node end of
// each pod's veth (the same address on every veth, as Calico does with
// proxy ARP), so pods need no bridge.
var (
	GatewayV4 = netip.MustParseAddr("198.18.0.1")
	GatewayV6 = netip.MustParseAddr("fe80::1")
)

var nodeSeq atomic.Uint64

// Node is a "node" network namespace that pods are attached to. It forwards
// between pods and does the Services' DNAT. It has no link to the host.
type Node struct {
	ns       netns.NsHandle
	nl       *netlink.Handle
	cgroup   string // parent of the pods' cgroups
	nextPod  int
	services bool // the nftables nat chain exists
	filter   bool // the nftables filter chain exists
}

// NewNode creates a node namespace with forwarding on and a parent cgroup
// for its pods; all of it is removed in t.Cleanup.
func NewNode(t testing.TB) *Node {
	t.Helper()
	mount, err := cgroups.V2Mount()
	if err != nil {
		t.Fatal(err)
	}
	ns, err := newNetNS()
	if err != nil {
		t.Fatal(err)
	}
	n := &Node{ns: ns, nextPod: 1}
	n.cgroup = filepath.Join(mount, fmt.Sprintf("netpol-advisor-test-%d-%d", os.Getpid(), nodeSeq.Add(1)))
	t.Cleanup(func() {
		if err := n.close(); err != nil {
			t.Error(err)
		}
	})
	if err := n.setup(); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *Node) setup() error {
	nl, err := netlink.NewHandleAt(n.ns)
	if err != nil {
		return fmt.Errorf("open netlink in node namespace: %w", err)
	}
	n.nl = nl
	if err := linkUp(nl, "lo"); err != nil {
		return err
	}
	for _, s := range []string{"net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding"} {
		if err := writeSysctl(n.ns, s, "1"); err != nil {
			return err
		}
	}
	for _, dir := range []string{n.cgroup, filepath.Dir(n.podsCgroup()), n.podsCgroup()} {
		if err := makeCgroup(dir); err != nil {
			return err
		}
	}
	return nil
}

// podsCgroup is the parent of the pods' cgroups, laid out as kubelet's
// cgroupfs driver does (kubepods/besteffort/pod<UID>), so that code mapping
// cgroups to pods can be tested on it.
func (n *Node) podsCgroup() string { return filepath.Join(n.cgroup, "kubepods", "besteffort") }

// close releases the namespace (and with it the veths and nftables rules)
// and removes the parent cgroup. Pods are torn down before, by their own
// cleanups, which t.Cleanup runs first.
func (n *Node) close() error {
	var errs []error
	if n.nl != nil {
		n.nl.Close()
	}
	if err := n.ns.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close node namespace: %w", err))
	}
	for _, dir := range []string{n.podsCgroup(), filepath.Dir(n.podsCgroup()), n.cgroup} {
		if err := removeCgroup(dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// NetNS returns the node namespace, for tests that run code in it.
func (n *Node) NetNS() netns.NsHandle { return n.ns }

// Run runs fn on an OS thread inside the node namespace.
func (n *Node) Run(fn func() error) error { return inNetNS(n.ns, fn) }

func linkUp(nl *netlink.Handle, name string) error {
	l, err := nl.LinkByName(name)
	if err != nil {
		return fmt.Errorf("find link %s: %w", name, err)
	}
	if err := nl.LinkSetUp(l); err != nil {
		return fmt.Errorf("set link %s up: %w", name, err)
	}
	return nil
}
