package inventory

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"time"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// build assembles a snapshot, rebuilding the workloads changed since the
// last one. x.mu is held.
func (x *Index) build() *Snapshot {
	for ref := range x.dirty {
		if w, ok := x.workload(ref); ok {
			x.workloads[ref] = w
		} else {
			delete(x.workloads, ref)
		}
	}
	clear(x.dirty)
	c := &policy.Cluster{
		Namespaces:   maps.Clone(x.namespaces),
		Workloads:    maps.Clone(x.workloads),
		Services:     maps.Clone(x.services),
		ServicePorts: maps.Clone(x.svcPorts),
		DNS:          x.dns(),
	}
	c.GroupWorkloads() // once per snapshot, not per Check
	for _, eps := range x.apiSlices {
		c.APIServer = append(c.APIServer, eps...)
	}
	c.APIServer = sortEndpoints(c.APIServer)
	s := &Snapshot{Cluster: c, Adjustments: map[flow.WorkloadRef]policy.Adjustments{},
		Invalid: map[flow.WorkloadRef]string{}, Taken: x.now()}
	for ref, a := range x.adjust {
		if a.invalid != "" {
			s.Invalid[ref] = a.invalid
		} else {
			s.Adjustments[ref] = a.adj
		}
	}
	s.Policies = make([]networkingv1.NetworkPolicy, 0, len(x.policies))
	for _, np := range x.policies {
		s.Policies = append(s.Policies, *np)
	}
	sortPolicies(s.Policies)
	return s
}

func sortPolicies(ps []networkingv1.NetworkPolicy) {
	slices.SortFunc(ps, func(a, b networkingv1.NetworkPolicy) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
}

// dns is the configured DNS identity, else the kube-dns Service's selector
// over the default.
func (x *Index) dns() policy.DNS {
	if x.opts.DNS != nil {
		return *x.opts.DNS
	}
	d := policy.DefaultDNS()
	if sel := x.services[d.Service]; len(sel) > 0 {
		d.PodLabels = sel
	}
	if x.opts.NodeLocalDNS.IsValid() {
		d.NodeLocal = x.opts.NodeLocalDNS
	}
	return d
}

// workload is ref as its controller's template and its running pods say:
// every pod with its own labels and addresses. Without a known template
// (a bare pod, a custom controller such as an Argo Rollout) the labels
// are those all its pods share.
func (x *Index) workload(ref flow.WorkloadRef) (policy.Workload, bool) {
	ctl, known := x.ctrls[ref]
	pods := x.podsOf(ref)
	if !known && len(pods) == 0 {
		return policy.Workload{}, false
	}
	w := ctl.w
	if !known {
		w = policy.Workload{Ref: ref, Labels: commonLabels(pods), Ports: pods[0].ports, HostNetwork: pods[0].hostNetwork}
	}
	w.IPs, w.Pods = nil, nil
	for _, p := range pods {
		w.IPs = append(w.IPs, p.ips...)
		w.Pods = append(w.Pods, policy.PodInfo{Name: p.name, Labels: p.labels, IPs: p.ips})
	}
	slices.SortFunc(w.IPs, netip.Addr.Compare)
	w.IPs = slices.Compact(w.IPs)
	return w, true
}

// podsOf returns ref's pods sorted by name.
func (x *Index) podsOf(ref flow.WorkloadRef) []*podState {
	out := make([]*podState, 0, len(x.byWorkload[ref]))
	for uid := range x.byWorkload[ref] {
		out = append(out, x.pods[uid])
	}
	slices.SortFunc(out, func(a, b *podState) int { return cmp.Compare(a.name, b.name) })
	return out
}

func commonLabels(pods []*podState) map[string]string {
	out := maps.Clone(pods[0].labels)
	for _, p := range pods[1:] {
		maps.DeleteFunc(out, func(k, v string) bool { return p.labels[k] != v })
	}
	return out
}

// Snapshot is the cluster as the policy core needs it, at one time.
type Snapshot struct {
	Cluster *policy.Cluster
	// Policies are every NetworkPolicy, sorted by namespace and name.
	Policies []networkingv1.NetworkPolicy
	// Adjustments are the users' decisions, per workload that declares any.
	Adjustments map[flow.WorkloadRef]policy.Adjustments
	// Invalid lists workloads whose adjustments annotation could not be
	// parsed (they are treated as having none), with the reason.
	Invalid map[flow.WorkloadRef]string
	// Taken is when the snapshot was assembled.
	Taken time.Time
}

// WithWorkload returns a copy of the snapshot's cluster in which w is
// present as given (for an object under admission, not yet in the cache).
// The snapshot itself is not changed.
func (s *Snapshot) WithWorkload(w policy.Workload) *policy.Cluster {
	c := *s.Cluster
	c.Workloads = maps.Clone(s.Cluster.Workloads)
	if c.Workloads == nil {
		c.Workloads = map[flow.WorkloadRef]policy.Workload{}
	}
	if old, ok := c.Workloads[w.Ref]; ok {
		if len(w.IPs) == 0 {
			w.IPs = old.IPs
		}
		if len(w.Pods) == 0 {
			w.Pods = old.Pods
		}
	} else if c.ByNamespace != nil {
		// A new workload joins its namespace's list, in copies: the
		// snapshot's lists are shared with every other reader.
		c.ByNamespace = maps.Clone(c.ByNamespace)
		c.ByNamespace[w.Ref.Namespace] = append(slices.Clip(c.ByNamespace[w.Ref.Namespace]), w.Ref)
	}
	c.Workloads[w.Ref] = w
	return &c
}
