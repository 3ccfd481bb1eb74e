package policy

import (
	"net/netip"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// dnsTarget recognises egress to the cluster DNS pods (directly or through
// its Service) and to NodeLocal DNSCache.
func dnsTarget(c *Cluster, f flow.Flow) (target, bool) {
	if f.Direction != flow.Egress || f.Port != 53 {
		return target{}, false
	}
	d := c.dns()
	if d.NodeLocal.IsValid() && f.Peer.IP == d.NodeLocal {
		return target{cidr: netip.PrefixFrom(d.NodeLocal, d.NodeLocal.BitLen()), dns: true}, true
	}
	if f.Peer.Kind != flow.PeerWorkload && f.Peer.Kind != flow.PeerService {
		return target{}, false
	}
	if !d.Service.IsZero() && f.Peer.Service.Namespace == d.Service.Namespace && f.Peer.Service.Name == d.Service.Name {
		return dnsPods(d), true
	}
	w, ok := c.Workloads[f.Peer.Workload]
	if ok && w.Ref.Namespace == d.Namespace && len(d.PodLabels) > 0 && containsLabels(w.Labels, d.PodLabels) {
		return dnsPods(d), true
	}
	return target{}, false
}

func dnsPods(d DNS) target {
	return target{namespace: d.Namespace, pods: canonical(d.PodLabels), dns: true}
}
