package adjust

import (
	"cmp"
	"fmt"
	"net/netip"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// FromAPI converts adjustments as the aggregated API and the CLI spell them
// and checks them as the annotation's are checked; ns is the workload's
// namespace, the default for excluded workloads.
func FromAPI(ns string, a v1alpha1.Adjustments) (policy.Adjustments, error) {
	var out policy.Adjustments
	for _, al := range a.Allow {
		p, err := netip.ParsePrefix(al.CIDR)
		if err != nil {
			return out, fmt.Errorf("allow %q: not a CIDR such as 203.0.113.7/32", al.CIDR)
		}
		out.Allow = append(out.Allow, policy.AllowCIDR{CIDR: p.Masked(), Alias: al.Alias})
	}
	for _, ex := range a.Exclude {
		var e policy.Exclusion
		if ex.CIDR != "" {
			p, err := netip.ParsePrefix(ex.CIDR)
			if err != nil {
				return out, fmt.Errorf("exclude %q: not a CIDR", ex.CIDR)
			}
			e.CIDR = p.Masked()
		}
		if w := ex.Workload; w != nil {
			kind, ok := CanonicalKind(w.Kind)
			if !ok || w.Name == "" {
				return out, fmt.Errorf("exclude workload %q/%q: want a kind and a name", w.Kind, w.Name)
			}
			e.Workload = flow.WorkloadRef{Namespace: cmp.Or(w.Namespace, ns), Kind: kind, Name: w.Name}
		}
		out.Exclude = append(out.Exclude, e)
	}
	if err := Validate(out); err != nil {
		return out, err
	}
	return Normalize(out), nil
}

// Merge adds b's decisions to a's, normalised.
func Merge(a, b policy.Adjustments) policy.Adjustments {
	return Normalize(policy.Adjustments{
		Allow:   append(append([]policy.AllowCIDR{}, a.Allow...), b.Allow...),
		Exclude: append(append([]policy.Exclusion{}, a.Exclude...), b.Exclude...),
	})
}

// CanonicalKind spells a workload kind as the store does, whatever its
// case; other controller kinds (a Rollout) pass as given.
func CanonicalKind(k string) (flow.Kind, bool) {
	for _, known := range []flow.Kind{flow.KindDeployment, flow.KindStatefulSet, flow.KindDaemonSet, flow.KindJob,
		flow.KindCronJob, flow.KindReplicaSet, flow.KindPod} {
		if strings.EqualFold(k, string(known)) {
			return known, true
		}
	}
	return flow.Kind(k), k != ""
}
