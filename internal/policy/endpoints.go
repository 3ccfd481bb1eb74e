package policy

import (
	"maps"
	"net/netip"
	"slices"
)

// endpoints returns the workload as connection ends: one per address of
// each of its pods (a pod without an address is one end without one).
// Pods with equal labels share one *Pod, so a policy set's memo looks each
// label set up once. Evaluating every end, not the first, matters when an
// ipBlock splits replicas or address families.
func endpoints(w Workload) []Endpoint {
	if len(w.Pods) == 0 {
		return podEnds(nil, &Pod{Namespace: w.Ref.Namespace, Labels: w.Labels, Ports: w.Ports, HostNetwork: w.HostNetwork}, w.IPs)
	}
	var out []Endpoint
	var distinct []*Pod
	for _, pi := range w.Pods {
		l := pi.Labels
		if l == nil {
			l = w.Labels
		}
		out = podEnds(out, podWith(&distinct, w, l), pi.IPs)
	}
	return out
}

// podWith returns the pod of distinct with labels l, adding it when new.
func podWith(distinct *[]*Pod, w Workload, l map[string]string) *Pod {
	for _, p := range *distinct {
		if maps.Equal(p.Labels, l) {
			return p
		}
	}
	p := &Pod{Namespace: w.Ref.Namespace, Labels: l, Ports: w.Ports, HostNetwork: w.HostNetwork}
	*distinct = append(*distinct, p)
	return p
}

func podEnds(out []Endpoint, p *Pod, ips []netip.Addr) []Endpoint {
	if len(ips) == 0 {
		return append(out, Endpoint{Pod: p})
	}
	for _, ip := range ips {
		out = append(out, Endpoint{Pod: p, IP: ip})
	}
	return out
}

// podLabels lists the label sets of the workload's pods.
func podLabels(w Workload) []map[string]string {
	if len(w.Pods) == 0 {
		return []map[string]string{w.Labels}
	}
	out := make([]map[string]string, 0, len(w.Pods))
	for _, p := range w.Pods {
		if p.Labels == nil {
			out = append(out, w.Labels)
		} else {
			out = append(out, p.Labels)
		}
	}
	return out
}

// addresses lists every address of the workload's pods, IPs first.
func addresses(w Workload) []netip.Addr {
	out := append([]netip.Addr(nil), w.IPs...)
	for _, p := range w.Pods {
		for _, ip := range p.IPs {
			if !slices.Contains(out, ip) {
				out = append(out, ip)
			}
		}
	}
	return out
}

// endpointOf is one end of the workload, at its first address.
func endpointOf(w Workload) Endpoint { return endpoints(w)[0] }
