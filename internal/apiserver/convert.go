package apiserver

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/convert"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func objectMeta(name string, w flow.WorkloadRef, created time.Time) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: w.Namespace, CreationTimestamp: metav1.Time{Time: created.UTC()}}
}

// baseline renders a stored baseline as the API object, ingress and egress
// apart, in the store's order.
func baseline(name string, b flow.Baseline) *v1alpha1.Baseline {
	out := &v1alpha1.Baseline{Workload: convert.WorkloadRef(b.Workload), Window: convert.Window(b.Window),
		Ingress: []v1alpha1.Flow{}, Egress: []v1alpha1.Flow{}}
	var first time.Time
	for _, f := range b.Flows {
		af := convert.Flow(f)
		if f.Direction == flow.Ingress {
			out.Ingress = append(out.Ingress, af)
		} else {
			out.Egress = append(out.Egress, af)
		}
		if first.IsZero() || f.FirstSeen.Before(first) {
			first = f.FirstSeen
		}
	}
	out.ObjectMeta = objectMeta(name, b.Workload, first)
	return out
}
