package resolve

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Flows resolves an observer's record into flows of its workload. A
// connection to a Service whose backends span several workloads gives one
// flow per backend workload, each with the record's counts: the client
// could have reached any of them, so a policy must allow all.
func (x *Index) Flows(rec store.Record) []flow.Flow {
	o := rec.Observation
	rec.Workload = x.Lift(rec.Workload)
	targets := x.Remote(o)
	out := make([]flow.Flow, 0, len(targets))
	for _, t := range targets {
		out = append(out, flow.Flow{
			Key: flow.Key{
				Workload: rec.Workload, Direction: o.Direction, Peer: t.Peer,
				Port: t.Port, Protocol: protocolOr(o.Protocol), Process: o.Process,
			},
			Count: o.Count, Failed: o.Failed, Failures: o.Failures, FirstSeen: o.FirstSeen, LastSeen: o.LastSeen,
		})
	}
	return out
}

// Lift names the workload above an intermediate controller (ReplicaSet,
// Job) that an observer, which does not watch them, named as its pod's;
// other workloads, and intermediates the index does not know, are returned
// as they are.
func (x *Index) Lift(w flow.WorkloadRef) flow.WorkloadRef {
	if w.Kind != flow.KindReplicaSet && w.Kind != flow.KindJob {
		return w
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.owners.WorkloadOf(w.Namespace, "", &metav1.OwnerReference{Kind: string(w.Kind), Name: w.Name}, "")
}
