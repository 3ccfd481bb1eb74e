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
		Change: change, Adjustments: snap.Adjustments}
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
	if len(in.Baselines) > 0 {
		out.Report = policy.Check(in)
		out.Unused = policy.Unused(in)
	}
	if np := changed(change); np != nil {
		out.Enforce = snap.Cluster.Namespaces[np.Namespace][EnforceLabel] == "true"
	}
	return out, nil
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
