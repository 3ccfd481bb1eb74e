package advice

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// EnforceLabel is the namespace label that turns the NetworkPolicy
// webhook's warnings into a denial for that namespace.
const EnforceLabel = "netpol-advisor.io/enforce"

// Checked is the result of checking a NetworkPolicy change.
type Checked struct {
	policy.Report
	// Enforce is true when the policy's namespace opted into denial.
	Enforce bool
	// Learning lists touched workloads with no baseline yet: nothing can
	// be said about them.
	Learning []flow.WorkloadRef
	// Invalid lists touched workloads whose adjustments were ignored.
	Invalid []string
	// Unused are the new policy's rules that allow no observed flow: what
	// it would allow that was never seen.
	Unused []policy.UnusedRule
}

// Check lists the observed flows of the workloads the change touches that
// the change would block.
func (a *Advisor) Check(ctx context.Context, change policy.Change) (Checked, error) {
	return a.CheckShown(ctx, change, 0)
}

// CheckShown is Check for a caller that shows only the first shown
// findings (an admission review's warnings): the others carry no Message
// and Fix, which are most of what a finding costs; zero writes them all.
func (a *Advisor) CheckShown(ctx context.Context, change policy.Change, shown int) (Checked, error) {
	var ns string
	if np := changed(change); np != nil {
		ns = np.Namespace
	}
	snap, err := a.Inventory.Current(ctx, ns)
	if err != nil {
		return Checked{}, fmt.Errorf("cluster snapshot: %w", err)
	}
	var out Checked
	in := policy.CheckInput{Cluster: snap.Cluster, Policies: inForce(snap.Policies, change),
		Change: change, Adjustments: snap.Adjustments, TextLimit: shown}
	touched := policy.Touched(snap.Cluster, change)
	read, err := a.baselines(ctx, touched)
	if err != nil {
		return Checked{}, err
	}
	for i, w := range touched {
		if !read[i].found {
			out.Learning = append(out.Learning, w)
			continue
		}
		in.Baselines = append(in.Baselines, read[i].b)
		if reason, bad := snap.Invalid[w]; bad {
			out.Invalid = append(out.Invalid, fmt.Sprintf("%s: %s", w, reason))
		}
	}
	inbound, err := a.inbound(ctx, touched)
	if err != nil {
		return Checked{}, err
	}
	in.Baselines = append(in.Baselines, inbound...)
	if len(in.Baselines) > 0 {
		out.Report = policy.Check(in)
		out.Unused = policy.Unused(in)
	}
	if np := changed(change); np != nil {
		out.Enforce = snap.Cluster.Namespaces[np.Namespace][EnforceLabel] == "true"
	}
	return out, nil
}

// PeerBaselines reads every workload's baseline, so that a check also
// judges the flows other workloads made to the touched ones (store.Reader
// has it): a policy that isolates b blocks a's connections to b even when
// only a's side saw them.
type PeerBaselines interface {
	Namespace(ctx context.Context, ns string, win flow.Window) ([]flow.Baseline, error)
}

// ReferencingBaselines reads only the baselines of the workloads with
// flows to given peers (the Badger store's by-peer index): a review then
// reads a few baselines instead of all of them.
type ReferencingBaselines interface {
	Referencing(ctx context.Context, peers []flow.WorkloadRef, win flow.Window) ([]flow.Baseline, error)
}

// InboundFlows reads just the flows of other workloads to given peers,
// as partial baselines (the Badger store has it, through its by-peer
// index): the rest of those workloads' baselines is neither copied nor
// indexed per review.
type InboundFlows interface {
	Inbound(ctx context.Context, peers []flow.WorkloadRef, win flow.Window) ([]flow.Baseline, error)
}

// inbound returns the flows of untouched workloads to the touched ones, as
// partial baselines; none when the reader cannot list baselines.
func (a *Advisor) inbound(ctx context.Context, touched []flow.WorkloadRef) ([]flow.Baseline, error) {
	if len(touched) == 0 {
		return nil, nil
	}
	if ib, ok := a.Baselines.(InboundFlows); ok {
		in, err := ib.Inbound(ctx, touched, a.window())
		if err != nil {
			return nil, fmt.Errorf("read the flows of the touched workloads' peers: %w", err)
		}
		return in, nil
	}
	var all []flow.Baseline
	var err error
	if rb, ok := a.Baselines.(ReferencingBaselines); ok {
		all, err = rb.Referencing(ctx, touched, a.window())
	} else if pr, ok := a.Baselines.(PeerBaselines); ok {
		all, err = pr.Namespace(ctx, "", a.window())
	} else {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the baselines of the touched workloads' peers: %w", err)
	}
	return policy.NewPeerIndex(all).Inbound(touched), nil
}

// inForce is the policies before the change: the current list (sorted by
// namespace and name), with the changed policy as the request says it was.
func inForce(all []networkingv1.NetworkPolicy, change policy.Change) []networkingv1.NetworkPolicy {
	np := changed(change)
	if np == nil {
		return all
	}
	_, listed := slices.BinarySearchFunc(all, np, func(p networkingv1.NetworkPolicy, t *networkingv1.NetworkPolicy) int {
		return cmp.Or(cmp.Compare(p.Namespace, t.Namespace), cmp.Compare(p.Name, t.Name))
	})
	if !listed && change.Old == nil {
		return all // a create, as the list says: nothing to replace
	}
	out := make([]networkingv1.NetworkPolicy, 0, len(all)+1)
	for _, p := range all {
		if p.Namespace != np.Namespace || p.Name != np.Name {
			out = append(out, p)
		}
	}
	if change.Old != nil {
		out = append(out, *change.Old)
	}
	return out
}

func changed(change policy.Change) *networkingv1.NetworkPolicy {
	if change.New != nil {
		return change.New
	}
	return change.Old
}
