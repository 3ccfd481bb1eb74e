package agent

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// HostAddrs knows the addresses of the node the observer runs on. A pod
// cannot block connections from its own node (kubelet probes, host-network
// agents of the same node): NetworkPolicy does not apply to them
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/#what-you-can-t-do-with-network-policies-at-least-not-yet),
// so they are never flows — recording them would only suggest ipBlocks for
// node addresses and warn about traffic no policy stops.
type HostAddrs struct {
	// List returns the host's interface addresses (net.InterfaceAddrs in
	// the host network namespace, where the observer runs).
	List  func() ([]net.Addr, error)
	Every time.Duration // how long a listing is trusted

	mu    sync.Mutex
	addrs map[netip.Addr]bool
	read  time.Time
}

// NewHostAddrs lists this network namespace's addresses at most every
// interval.
func NewHostAddrs(every time.Duration) *HostAddrs {
	return &HostAddrs{List: net.InterfaceAddrs, Every: every}
}

// Contains reports whether ip is one of the host's addresses.
func (h *HostAddrs) Contains(ip netip.Addr) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.addrs == nil || time.Since(h.read) >= h.Every {
		h.refresh()
	}
	return h.addrs[ip.Unmap()]
}

func (h *HostAddrs) refresh() {
	h.read = time.Now()
	list, err := h.List()
	if err != nil && h.addrs != nil {
		return // keep the last good listing
	}
	addrs := make(map[netip.Addr]bool, len(list))
	for _, a := range list {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			addrs[p.Addr().Unmap()] = true
		}
	}
	h.addrs = addrs
}
