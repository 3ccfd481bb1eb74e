package workloads

import (
	"maps"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// perRunLabels are put on a Job's pod template (and so its pods) by the API
// server from the Job's own name and UID: every run of a CronJob has other
// values, and a Job re-created under its name another UID. The template a
// mutating webhook sees on create does not carry them yet. A selector on
// them would stop matching, so the workload is described without them.
var perRunLabels = []string{
	batchv1.ControllerUidLabel, batchv1.JobNameLabel, batchv1.JobCompletionIndexAnnotation,
	"controller-uid", "job-name", // unprefixed, still set for compatibility
}

// IsTop reports whether obj is the top of its controller chain, and so a
// workload of its own.
func IsTop(obj metav1.Object) bool { return metav1.GetControllerOf(obj) == nil }

// Ref is the workload reference of obj, of kind k.
func (k Kind) Ref(obj client.Object) flow.WorkloadRef {
	return flow.WorkloadRef{Namespace: obj.GetNamespace(), Kind: k.Kind, Name: obj.GetName()}
}

// Workload is obj as the policy core sees it: its pod template's labels
// (without per-run Job labels), named ports and host networking.
func (k Kind) Workload(obj client.Object) policy.Workload {
	w := inventory.FromTemplate(k.Ref(obj), k.Template(obj))
	if k.Kind == flow.KindJob || k.Kind == flow.KindCronJob {
		w.Labels = maps.Clone(w.Labels)
		for _, l := range perRunLabels {
			delete(w.Labels, l)
		}
	}
	return w
}
