package resolve

import (
	"net/netip"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// PodAt returns the node and workload of the pod that held ip at t (with
// the deletion grace of Local): the server's own answer to "whose socket
// was this", to check what an observer claims. Host-network pods are not
// found by IP; see HostPod.
func (x *Index) PodAt(ip netip.Addr, at time.Time) (node string, w flow.WorkloadRef, ok bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	p, ok := x.podAt(ip.Unmap(), at)
	if !ok {
		return "", flow.WorkloadRef{}, false
	}
	return p.node, x.workloadOf(p), true
}

// HostPod returns the node and workload of the host-network pod uid if it
// is indexed (not deleted). Its sockets may use any address of its node
// (a bridge's towards local pods, too), so the address is not checked:
// the node is what an observer is trusted for.
func (x *Index) HostPod(uid string) (node string, w flow.WorkloadRef, ok bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	p, ok := x.pods[types.UID(uid)]
	if !ok || !p.hostNetwork {
		return "", flow.WorkloadRef{}, false
	}
	return p.node, x.workloadOf(p), true
}

// PodNode returns the node of the pod uid while it is indexed (not
// deleted): whether a token bound to that pod still speaks for a live pod.
func (x *Index) PodNode(uid string) (node string, ok bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	p, ok := x.pods[types.UID(uid)]
	if !ok {
		return "", false
	}
	return p.node, true
}
