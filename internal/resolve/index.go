package resolve

import (
	"net/netip"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// DefaultGrace is how long a deleted pod's IPs still resolve to it.
const DefaultGrace = 5 * time.Minute

// DefaultNodeLocalDNS is NodeLocal DNSCache's default listen address.
var DefaultNodeLocalDNS = netip.MustParseAddr("169.254.20.10")

// Index is the resolution state: pods by IP over time, workload owners,
// Services, EndpointSlices and nodes. It is safe for concurrent use; the
// informers of Watch write it, resolvers read it.
type Index struct {
	grace time.Duration
	now   func() time.Time

	mu        sync.RWMutex
	ips       map[netip.Addr][]tenancy
	pods      map[types.UID]*podInfo
	podNames  map[types.NamespacedName]*podInfo
	owners    *Owners
	nodes     map[netip.Addr]string
	nodeAddrs map[string][]netip.Addr
	podCIDRs  map[string][]netip.Prefix // by node
	// staticCIDRs are pod ranges configured by the user (SetPodCIDRs).
	staticCIDRs []netip.Prefix
	svc         services
	nodeLocal   []netip.Addr // NodeLocal DNSCache's addresses

	// since is when the index started: the IPs of pods deleted before are
	// unknown, so an older flow may not be resolved by absence.
	since time.Time
}

// NewIndex returns an empty index keeping deleted pods' IPs for grace
// (DefaultGrace when zero). now is the clock (time.Now when nil).
func NewIndex(grace time.Duration, now func() time.Time) *Index {
	if grace == 0 {
		grace = DefaultGrace
	}
	if now == nil {
		now = time.Now
	}
	return &Index{
		grace: grace, now: now,
		ips:  map[netip.Addr][]tenancy{},
		pods: map[types.UID]*podInfo{}, podNames: map[types.NamespacedName]*podInfo{},
		owners: NewOwners(),
		nodes:  map[netip.Addr]string{}, nodeAddrs: map[string][]netip.Addr{}, podCIDRs: map[string][]netip.Prefix{},
		svc: newServices(), nodeLocal: []netip.Addr{DefaultNodeLocalDNS},
		since: now(),
	}
}

// SetPod records a pod's current state. Host-network pods are kept by name
// and UID only: their IP is the node's.
func (x *Index) SetPod(p *corev1.Pod) {
	if released(p) {
		x.DeletePod(p)
		return
	}
	info := newPodInfo(p)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.pods[info.uid] = info
	x.podNames[types.NamespacedName{Namespace: info.namespace, Name: info.name}] = info
	if info.hostNetwork {
		return
	}
	for _, ip := range info.ips {
		x.hold(ip, info, tenancyStart(p))
	}
}

// tenancyStart is when the pod can first have held its IPs: when its
// kubelet started it (the sandbox and its IP come after), else its
// creation. A pod created long before (waiting to be scheduled) must not
// take the flows of the pod that held the IP meanwhile.
func tenancyStart(p *corev1.Pod) time.Time {
	if p.Status.StartTime != nil && p.Status.StartTime.After(p.CreationTimestamp.Time) {
		return p.Status.StartTime.Time
	}
	return p.CreationTimestamp.Time
}

// hold makes info the tenant of ip since from, or updates its tenancy.
func (x *Index) hold(ip netip.Addr, info *podInfo, from time.Time) {
	x.collectIP(ip, x.now().Add(-x.grace))
	ts := x.ips[ip]
	for i := range ts {
		if ts[i].pod.uid == info.uid {
			ts[i].pod = info
			return
		}
	}
	x.ips[ip] = append(ts, tenancy{pod: info, from: from})
}

// DeletePod ends the pod's tenancy of its IPs (at its deletion timestamp,
// or now); they still resolve to it for flows seen before, during the grace
// period.
func (x *Index) DeletePod(p *corev1.Pod) {
	end := x.now()
	if p.DeletionTimestamp != nil && p.DeletionTimestamp.Time.Before(end) {
		end = p.DeletionTimestamp.Time
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	info, ok := x.pods[p.UID]
	if !ok {
		return
	}
	delete(x.pods, p.UID)
	name := types.NamespacedName{Namespace: p.Namespace, Name: p.Name}
	if x.podNames[name] == info {
		delete(x.podNames, name)
	}
	for _, ip := range info.ips {
		for i, t := range x.ips[ip] {
			if t.pod.uid == info.uid && t.to.IsZero() {
				x.ips[ip][i].to = end
			}
		}
	}
}

// Collect forgets the tenancies that ended more than the grace period ago.
// Watch calls it periodically.
func (x *Index) Collect() {
	x.mu.Lock()
	defer x.mu.Unlock()
	cutoff := x.now().Add(-x.grace)
	for ip := range x.ips {
		x.collectIP(ip, cutoff)
	}
	x.owners.Collect(cutoff)
}

func (x *Index) collectIP(ip netip.Addr, cutoff time.Time) {
	kept := x.ips[ip][:0]
	for _, t := range x.ips[ip] {
		if t.to.IsZero() || t.to.After(cutoff) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(x.ips, ip)
	} else {
		x.ips[ip] = kept
	}
}

// podAt returns the pod that held ip at t: the latest tenant whose tenancy
// covers t, else the last one to leave within the grace period.
func (x *Index) podAt(ip netip.Addr, t time.Time) (*podInfo, bool) {
	var best *tenancy
	for i, ten := range x.ips[ip] {
		if ten.from.After(t) || (!ten.to.IsZero() && !t.Before(ten.to)) {
			continue
		}
		if best == nil || ten.from.After(best.from) {
			best = &x.ips[ip][i]
		}
	}
	if best != nil {
		return best.pod, true
	}
	for i, ten := range x.ips[ip] {
		if !ten.to.IsZero() && t.Before(ten.to.Add(x.grace)) && !ten.from.After(t) &&
			(best == nil || ten.to.After(best.to)) {
			best = &x.ips[ip][i]
		}
	}
	if best == nil {
		return nil, false
	}
	return best.pod, true
}
