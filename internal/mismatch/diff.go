package mismatch

import (
	"maps"
	"reflect"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// refSet is a set of workloads.
type refSet map[flow.WorkloadRef]struct{}

func (s refSet) add(refs ...flow.WorkloadRef) {
	for _, r := range refs {
		s[r] = struct{}{}
	}
}

// changes is what differs between two snapshots.
type changes struct {
	// everything: namespace labels, the DNS or the API server changed:
	// any verdict may have.
	everything bool
	workloads  []flow.WorkloadRef // added, removed or changed (adjustments included)
	policies   []policy.Change
}

func (c changes) empty() bool { return !c.everything && len(c.workloads) == 0 && len(c.policies) == 0 }

// diff compares two snapshots. Policies are compared by resourceVersion
// when both carry one, else by spec.
func diff(old, cur *inventory.Snapshot) changes {
	if old == cur {
		return changes{}
	}
	oc, cc := old.Cluster, cur.Cluster
	if !maps.EqualFunc(oc.Namespaces, cc.Namespaces, maps.Equal) || !reflect.DeepEqual(oc.DNS, cc.DNS) || !reflect.DeepEqual(oc.APIServer, cc.APIServer) {
		return changes{everything: true}
	}
	var c changes
	for ref, w := range cc.Workloads {
		if ow, ok := oc.Workloads[ref]; !ok || !sameWorkload(&ow, &w) || !sameAdjustments(old, cur, ref) {
			c.workloads = append(c.workloads, ref)
		}
	}
	for ref := range oc.Workloads {
		if _, ok := cc.Workloads[ref]; !ok {
			c.workloads = append(c.workloads, ref)
		}
	}
	c.policies = policyChanges(old.Policies, cur.Policies)
	return c
}

func policyChanges(old, cur []networkingv1.NetworkPolicy) []policy.Change {
	byName := func(ps []networkingv1.NetworkPolicy) map[string]*networkingv1.NetworkPolicy {
		m := make(map[string]*networkingv1.NetworkPolicy, len(ps))
		for i := range ps {
			m[ps[i].Namespace+"/"+ps[i].Name] = &ps[i]
		}
		return m
	}
	om, cm := byName(old), byName(cur)
	var out []policy.Change
	for k, np := range cm {
		op, ok := om[k]
		switch {
		case !ok:
			out = append(out, policy.Change{Operation: policy.Create, New: np})
		case !samePolicy(op, np):
			out = append(out, policy.Change{Operation: policy.Update, Old: op, New: np})
		}
	}
	for k, op := range om {
		if _, ok := cm[k]; !ok {
			out = append(out, policy.Change{Operation: policy.Delete, Old: op})
		}
	}
	return out
}

// sameWorkload compares what the core reads of a workload; it is
// reflect.DeepEqual, written out because a round compares every workload.
func sameWorkload(a, b *policy.Workload) bool {
	return a.Ref == b.Ref && a.HostNetwork == b.HostNetwork && maps.Equal(a.Labels, b.Labels) &&
		slices.Equal(a.IPs, b.IPs) && slices.Equal(a.Ports, b.Ports) && slices.EqualFunc(a.Pods, b.Pods, samePod) &&
		(a.Selector == b.Selector || reflect.DeepEqual(a.Selector, b.Selector))
}

func samePod(a, b policy.PodInfo) bool {
	return a.Name == b.Name && maps.Equal(a.Labels, b.Labels) && (a.Labels == nil) == (b.Labels == nil) && slices.Equal(a.IPs, b.IPs)
}

func sameAdjustments(old, cur *inventory.Snapshot, ref flow.WorkloadRef) bool {
	a, aok := old.Adjustments[ref]
	b, bok := cur.Adjustments[ref]
	return aok == bok && (!aok || reflect.DeepEqual(a, b))
}

func samePolicy(a, b *networkingv1.NetworkPolicy) bool {
	if a.ResourceVersion != "" && b.ResourceVersion != "" {
		return a.ResourceVersion == b.ResourceVersion
	}
	return reflect.DeepEqual(a.Spec, b.Spec)
}

// affected are the workloads whose verdicts c can change: a changed
// workload and the workloads that have it as a peer; the workloads a
// changed policy selects, before or after, and their peers' observers.
func (s *state) affected(c changes, old, cur *inventory.Snapshot) refSet {
	out := refSet{}
	for _, w := range c.workloads {
		out.add(w)
		out.add(s.observersOf(w)...)
	}
	for _, ch := range c.policies {
		touched := policy.Touched(cur.Cluster, ch)
		if ch.Old != nil {
			touched = append(touched, policy.Touched(old.Cluster, policy.Change{Operation: policy.Delete, Old: ch.Old})...)
		}
		for _, w := range touched {
			out.add(w)
			out.add(s.observersOf(w)...)
		}
	}
	return out
}
