package cli

import (
	"fmt"
	"os"

	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/convert"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// checkOffline judges policies against exported baselines with the same
// policy core the server uses, for CI jobs without cluster access. Without
// the cluster it knows no other policy: each is judged as if it were the
// only one in force, and workloads outside the export are unknown.
func checkOffline(file string, byNS map[string][]networkingv1.NetworkPolicy, order []string) ([]*v1alpha1.PolicyCheck, error) {
	items, err := readExport(file)
	if err != nil {
		return nil, err
	}
	off, err := convert.FromExport(items)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	byRef := map[flow.WorkloadRef]flow.Baseline{}
	for _, b := range off.Baselines {
		byRef[b.Workload] = b
	}
	var out []*v1alpha1.PolicyCheck
	for _, ns := range order {
		pc := &v1alpha1.PolicyCheck{Spec: v1alpha1.PolicyCheckSpec{Policies: byNS[ns]}}
		pc.Namespace, pc.Kind, pc.APIVersion = ns, "PolicyCheck", v1alpha1.SchemeGroupVersion.String()
		for i := range byNS[ns] {
			res := judge(off, byRef, &byNS[ns][i])
			pc.Status.Blocks = pc.Status.Blocks || len(res.Findings) > 0
			pc.Status.Results = append(pc.Status.Results, res)
		}
		out = append(out, pc)
	}
	return out, nil
}

func judge(off convert.Offline, byRef map[flow.WorkloadRef]flow.Baseline, np *networkingv1.NetworkPolicy) v1alpha1.PolicyCheckResult {
	change := policy.Change{Operation: policy.Create, New: np}
	in := policy.CheckInput{Cluster: off.Cluster, Change: change, Adjustments: off.Adjustments}
	res := v1alpha1.PolicyCheckResult{Policy: np.Name}
	for _, w := range policy.Touched(off.Cluster, change) {
		if b, ok := byRef[w]; ok {
			in.Baselines = append(in.Baselines, b)
		} else {
			res.Learning = append(res.Learning, convert.WorkloadRef(w))
		}
	}
	rep := policy.Check(in)
	res.Findings, res.Excluded = convert.Findings(rep.Findings), convert.Findings(rep.Excluded)
	res.Unused = convert.Unused(policy.Unused(in))
	if len(res.Excluded) == 0 {
		res.Excluded = nil
	}
	return res
}

// readExport reads what `baseline -o yaml|json` wrote: a BaselineList.
func readExport(file string) ([]v1alpha1.Baseline, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var list v1alpha1.BaselineList
	if err := yaml.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s: not an exported baseline list (netpol-advisor baseline -n NS -o yaml): %w", file, err)
	}
	if list.Kind != "BaselineList" {
		return nil, fmt.Errorf("%s holds a %q, not a BaselineList: export one with netpol-advisor baseline -n NS -o yaml", file, list.Kind)
	}
	return list.Items, nil
}
