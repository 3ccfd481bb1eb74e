package policy

import (
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// directions are a pair of flags, one per policy direction.
type directions struct{ in, eg bool }

// selects reports in which directions the changed policies select the
// end's pod, and in which of those the change can narrow what the pod's
// policies allow (see narrows): only there can a flow become blocked.
func (k *checker) selects(ep Endpoint) (selected, narrowed directions) {
	p := selectable(ep)
	if p == nil {
		return directions{}, directions{}
	}
	for _, c := range k.changed {
		if c.namespace == p.Namespace && c.selector.matches(labels.Set(p.Labels)) {
			selected.in, selected.eg = selected.in || c.ingress, selected.eg || c.egress
		}
	}
	narrowed.in = selected.in && k.narrows(p, networkingv1.PolicyTypeIngress)
	narrowed.eg = selected.eg && k.narrows(p, networkingv1.PolicyTypeEgress)
	return selected, narrowed
}

// narrows reports whether the change can take away some connection the
// pod's policies allow in dir. Policies are additive: when the change
// removes no policy that selects the pod in dir (Old, which the policies
// before include, or one an added policy replaces by name) and some other
// policy isolated the pod in dir already, the policies after the change are a superset of those before
// and allow everything they allowed. Only a pod that the change isolates
// for the first time, or whose selecting policies lose one, can lose a
// connection.
func (k *checker) narrows(p *Pod, dir networkingv1.PolicyType) bool {
	isolated := false
	for _, c := range k.before.selecting(p) {
		if !c.applies(dir) {
			continue
		}
		if sameName(c.np, k.change.Old) || sameName(c.np, k.change.New) {
			return true
		}
		isolated = true
	}
	return !isolated
}
