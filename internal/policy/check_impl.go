package policy

import (
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func check(in CheckInput) Report {
	k := newChecker(in)
	name := changedName(in.Change)
	var r Report
	for _, b := range in.Baselines {
		if !k.inChangedNamespace(b.Workload.Namespace) {
			continue
		}
		w, ok := k.cluster.Workloads[b.Workload]
		if !ok {
			continue
		}
		ingress, egress := affects(k.changed, w)
		if !ingress && !egress {
			continue
		}
		self, _ := k.endpoint(b.Workload)
		adj := in.Adjustments[b.Workload]
		for i := range b.Flows {
			f := &b.Flows[i] // flows are large: no copy per flow
			if f.Direction == flow.Ingress && !ingress || f.Direction == flow.Egress && !egress || !k.blocked(self, f) {
				continue
			}
			fd := newFinding(k.cluster, b.Workload, *f, name)
			if adj.Excludes(f.Peer) {
				r.Excluded = append(r.Excluded, fd)
			} else {
				r.Findings = append(r.Findings, fd)
			}
		}
	}
	r.Findings, r.Excluded = mergeFindings(r.Findings), mergeFindings(r.Excluded)
	return r
}

func changedPolicies(ch Change) []*compiled {
	var out []*compiled
	for _, np := range []*networkingv1.NetworkPolicy{ch.Old, ch.New} {
		if np != nil {
			out = append(out, compile(np, len(out)))
		}
	}
	return out
}

func changedName(ch Change) string {
	for _, np := range []*networkingv1.NetworkPolicy{ch.New, ch.Old} {
		if np != nil {
			return np.Namespace + "/" + np.Name
		}
	}
	return ""
}

// affects says in which directions the changed policies select w: only
// those flows can change their verdict.
func affects(changed []*compiled, w Workload) (ingress, egress bool) {
	if w.HostNetwork {
		return false, false
	}
	for _, p := range changed {
		if p.namespace == w.Ref.Namespace && p.selector.matches(labels.Set(w.Labels)) {
			ingress = ingress || p.ingress
			egress = egress || p.egress
		}
	}
	return ingress, egress
}

// endpointOf is a pod of the workload, with its first address.
func endpointOf(w Workload) Endpoint { return endpointIn(w, new(Pod)) }

// endpointIn is endpointOf with the pod written to p.
func endpointIn(w Workload, p *Pod) Endpoint {
	*p = Pod{Namespace: w.Ref.Namespace, Labels: w.Labels, Ports: w.Ports, HostNetwork: w.HostNetwork}
	ep := Endpoint{Pod: p}
	if len(w.IPs) > 0 {
		ep.IP = w.IPs[0]
	}
	return ep
}

func touched(c *Cluster, ch Change) []flow.WorkloadRef {
	if c == nil {
		return nil
	}
	changed := changedPolicies(ch)
	var out []flow.WorkloadRef
	for ref, w := range c.Workloads {
		if in, eg := affects(changed, w); in || eg {
			out = append(out, ref)
		}
	}
	sortRefs(out)
	return out
}

// sortRefs sorts workloads by their String form, rendered once each.
func sortRefs(refs []flow.WorkloadRef) {
	type keyed struct {
		s   string
		ref flow.WorkloadRef
	}
	ks := make([]keyed, len(refs))
	for i, r := range refs {
		ks[i] = keyed{r.Namespace + "/" + string(r.Kind) + "/" + r.Name, r}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.s, b.s) })
	for i := range ks {
		refs[i] = ks[i].ref
	}
}
