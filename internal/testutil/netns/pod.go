package netns

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
)

// Pod is a network namespace with one veth (eth0) to its node and its own
// cgroup v2 child for the processes started in it.
type Pod struct {
	Name string
	// UID is a random pod UID; the pod's cgroup is named after it as
	// kubelet names it (pod<UID>).
	UID  string
	IPv4 netip.Addr
	IPv6 netip.Addr
	// Cgroup is the pod's cgroup directory and CgroupID its ID, which is
	// what eBPF sees as the socket's cgroup for processes started with Start.
	Cgroup   string
	CgroupID uint64
	ns       netns.NsHandle
	veth     string // the node end of its veth
}

// AddPod creates a pod named name. Without addrs it gets the next free
// addresses in 198.18.0.0/16 and fd00:198:18::/48; with addrs (one IPv4 and
// optionally one IPv6) it plays any host, such as an "external" 203.0.113.x.
func (n *Node) AddPod(t testing.TB, name string, addrs ...netip.Addr) *Pod {
	t.Helper()
	idx := n.nextPod
	n.nextPod++
	p := &Pod{Name: name, UID: newUID(), IPv4: podV4(idx), IPv6: podV6(idx)}
	if len(addrs) > 0 {
		p.IPv4, p.IPv6 = netip.Addr{}, netip.Addr{}
		for _, a := range addrs {
			if a.Is4() {
				p.IPv4 = a
			} else {
				p.IPv6 = a
			}
		}
	}
	ns, err := newNetNS()
	if err != nil {
		t.Fatal(err)
	}
	n.addCgroup(t, p, ns)
	p.veth = fmt.Sprintf("vp%d", idx)
	if err := n.plug(p, p.veth); err != nil {
		t.Fatalf("add pod %s: %v", name, err)
	}
	return p
}

// AddHostNetworkPod creates a pod that shares the node's network namespace
// (hostNetwork: true): its address is the node's (GatewayV4), and only its
// cgroup tells its sockets from the node's and other host-network pods'.
func (n *Node) AddHostNetworkPod(t testing.TB, name string) *Pod {
	t.Helper()
	dup, err := unix.Dup(int(n.ns))
	if err != nil {
		t.Fatalf("add host-network pod %s: %v", name, err)
	}
	p := &Pod{Name: name, UID: newUID(), IPv4: GatewayV4}
	n.addCgroup(t, p, netns.NsHandle(dup))
	return p
}

// addCgroup gives p its namespace handle and cgroup, both released in
// t.Cleanup.
func (n *Node) addCgroup(t testing.TB, p *Pod, ns netns.NsHandle) {
	t.Helper()
	p.ns = ns
	p.Cgroup = filepath.Join(n.podsCgroup(), "pod"+p.UID)
	t.Cleanup(func() {
		if err := removeCgroup(p.Cgroup); err != nil {
			t.Error(err)
		}
		p.ns.Close()
	})
	if err := makeCgroup(p.Cgroup); err != nil {
		t.Fatal(err)
	}
	var err error
	if p.CgroupID, err = cgroups.ID(p.Cgroup); err != nil {
		t.Fatal(err)
	}
}

// newUID returns a random RFC 4122 version 4 UUID, as Kubernetes uses.
func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func podV4(idx int) netip.Addr {
	return netip.AddrFrom4([4]byte{198, 18, byte((idx + 1) >> 8), byte(idx + 1)})
}

func podV6(idx int) netip.Addr {
	a := netip.MustParseAddr("fd00:198:18::").As16()
	a[14], a[15] = byte(idx>>8), byte(idx)
	return netip.AddrFrom16(a)
}

// NetNS returns the pod's namespace.
func (p *Pod) NetNS() netns.NsHandle { return p.ns }

// NetNSInode returns the inode number of the pod's network namespace, which
// is what the kernel shows as net->ns.inum.
func (p *Pod) NetNSInode() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(p.ns), &st); err != nil {
		return 0, fmt.Errorf("stat namespace of pod %s: %w", p.Name, err)
	}
	return st.Ino, nil
}

// Run runs fn on an OS thread inside the pod's network namespace. Sockets fn
// opens belong to the pod's namespace and stay usable from any goroutine;
// their cgroup is the test process's, not the pod's (use Start for that).
func (p *Pod) Run(fn func() error) error { return inNetNS(p.ns, fn) }

// ipNet returns addr as a host prefix (/32 or /128).
func ipNet(addr netip.Addr) *net.IPNet {
	bits := addr.BitLen()
	return &net.IPNet{IP: addr.AsSlice(), Mask: net.CIDRMask(bits, bits)}
}

// linkByName finds a link with a netlink handle.
func linkByName(nl *netlink.Handle, name string) (netlink.Link, error) {
	l, err := nl.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("find link %s: %w", name, err)
	}
	return l, nil
}
