package resolve

import (
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Flows resolves an observer's record into flows of its workload. A
// connection to a Service whose backends span several workloads gives one
// flow per backend workload, each with the record's counts: the client
// could have reached any of them, so a policy must allow all.
func (x *Index) Flows(rec store.Record) []flow.Flow {
	o := rec.Observation
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
