package inventory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

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
	// Taken is when the snapshot was built.
	Taken time.Time
}

// Options tune how a snapshot is built. The zero value is usable.
type Options struct {
	// DNS overrides the cluster DNS identity; by default it is found from the
	// kube-dns Service in kube-system, or policy.DefaultDNS().
	DNS *policy.DNS
}

// Build lists the cluster's namespaces, workloads, pods, NetworkPolicies,
// the DNS Service and the API server endpoints through r.
func Build(ctx context.Context, r client.Reader, o Options) (*Snapshot, error) {
	s := &Snapshot{
		Cluster:     &policy.Cluster{Workloads: map[flow.WorkloadRef]policy.Workload{}},
		Adjustments: map[flow.WorkloadRef]policy.Adjustments{},
		Invalid:     map[flow.WorkloadRef]string{},
		Taken:       time.Now(),
	}
	steps := []func(context.Context, client.Reader, *Snapshot) error{
		addNamespaces, addWorkloads, addPods, addPolicies, addAPIServer,
	}
	for _, step := range steps {
		if err := step(ctx, r, s); err != nil {
			return nil, err
		}
	}
	if o.DNS != nil {
		s.Cluster.DNS = *o.DNS
	} else if err := addDNS(ctx, r, s); err != nil {
		return nil, err
	}
	return s, nil
}

func addPolicies(ctx context.Context, r client.Reader, s *Snapshot) error {
	var list networkingv1.NetworkPolicyList
	if err := r.List(ctx, &list); err != nil {
		return fmt.Errorf("list networkpolicies: %w", err)
	}
	s.Policies = list.Items
	slices.SortFunc(s.Policies, func(a, b networkingv1.NetworkPolicy) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return nil
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
	if old, ok := c.Workloads[w.Ref]; ok && len(w.IPs) == 0 {
		w.IPs = old.IPs
	}
	c.Workloads[w.Ref] = w
	return &c
}
