package apiserver

import (
	"math"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func workloadRef(w flow.WorkloadRef) v1alpha1.WorkloadReference {
	return v1alpha1.WorkloadReference{Kind: string(w.Kind), Name: w.Name}
}

func window(w flow.Window) v1alpha1.Window {
	var out v1alpha1.Window
	if !w.From.IsZero() {
		out.From = &metav1.Time{Time: w.From.UTC()}
	}
	if !w.To.IsZero() {
		out.To = &metav1.Time{Time: w.To.UTC()}
	}
	return out
}

func objectMeta(name string, w flow.WorkloadRef, lastSeen time.Time) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: w.Namespace,
		CreationTimestamp: metav1.Time{Time: lastSeen.UTC()}}
}

// baseline renders a stored baseline as the API object, ingress and egress
// apart, in the store's order.
func baseline(name string, b flow.Baseline) *v1alpha1.Baseline {
	out := &v1alpha1.Baseline{Workload: workloadRef(b.Workload), Window: window(b.Window),
		Ingress: []v1alpha1.Flow{}, Egress: []v1alpha1.Flow{}}
	var first time.Time
	for _, f := range b.Flows {
		af := apiFlow(f)
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

func apiFlow(f flow.Flow) v1alpha1.Flow {
	return v1alpha1.Flow{Peer: peer(f.Peer), Port: f.Port, Protocol: string(f.Protocol), Process: f.Process,
		Count: saturate(f.Count), Failed: saturate(f.Failed),
		FirstSeen: metav1.Time{Time: f.FirstSeen.UTC()}, LastSeen: metav1.Time{Time: f.LastSeen.UTC()}}
}

func peer(p flow.Peer) v1alpha1.Peer {
	out := v1alpha1.Peer{Kind: string(p.Kind), Node: p.Node, Display: p.String(), Resolved: p.Kind != flow.PeerExternal && p.Kind != flow.PeerUnresolved}
	if p.IP.IsValid() {
		out.IP = p.IP.String()
	}
	if p.Kind == flow.PeerWorkload {
		out.Namespace, out.WorkloadKind, out.Name = p.Workload.Namespace, string(p.Workload.Kind), p.Workload.Name
	}
	if !p.Service.IsZero() {
		out.Service = p.Service.String()
	}
	return out
}

// saturate keeps counts that no longer fit an int64 (the API's integer) at
// its largest value rather than wrapping to negative.
func saturate(n uint64) int64 {
	if n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}
