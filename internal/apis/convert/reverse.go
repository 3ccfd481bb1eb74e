package convert

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// Offline is what an exported list of baselines says about the cluster:
// enough for policy.Check without a cluster.
type Offline struct {
	Cluster     *policy.Cluster
	Baselines   []flow.Baseline
	Adjustments map[flow.WorkloadRef]policy.Adjustments
}

// FromExport rebuilds the core's inputs from baselines exported with their
// context (netpol-advisor baseline -o yaml). A baseline without context
// cannot be judged and is an error that says how to export it.
func FromExport(items []v1alpha1.Baseline) (Offline, error) {
	off := Offline{Cluster: &policy.Cluster{Namespaces: map[string]map[string]string{}, Workloads: map[flow.WorkloadRef]policy.Workload{}},
		Adjustments: map[flow.WorkloadRef]policy.Adjustments{}}
	for _, b := range items {
		if b.Context == nil {
			return Offline{}, fmt.Errorf("baseline %s/%s has no context (labels): export it with a server of this version", b.Namespace, b.Name)
		}
		ref := flow.WorkloadRef{Namespace: b.Namespace, Kind: flow.Kind(b.Workload.Kind), Name: b.Workload.Name}
		off.Cluster.Workloads[ref] = policy.Workload{Ref: ref, Labels: b.Context.Labels}
		for ns, labels := range b.Context.Namespaces {
			off.Cluster.Namespaces[ns] = labels
		}
		for peer, labels := range b.Context.Peers {
			pref, err := parseRef(peer)
			if err != nil {
				return Offline{}, fmt.Errorf("baseline %s/%s: %w", b.Namespace, b.Name, err)
			}
			if _, known := off.Cluster.Workloads[pref]; !known {
				off.Cluster.Workloads[pref] = policy.Workload{Ref: pref, Labels: labels}
			}
		}
		adj, err := adjust.FromAPI(b.Namespace, b.Context.Adjustments)
		if err != nil {
			return Offline{}, fmt.Errorf("baseline %s/%s: %w", b.Namespace, b.Name, err)
		}
		off.Adjustments[ref] = adj
		off.Baselines = append(off.Baselines, flow.Baseline{Workload: ref, Flows: Flows(ref, b)})
	}
	return off, nil
}

// Flows rebuilds a baseline's flows.
func Flows(ref flow.WorkloadRef, b v1alpha1.Baseline) []flow.Flow {
	var out []flow.Flow
	for _, part := range []struct {
		dir   flow.Direction
		flows []v1alpha1.Flow
	}{{flow.Ingress, b.Ingress}, {flow.Egress, b.Egress}} {
		for _, f := range part.flows {
			out = append(out, flow.Flow{Key: flow.Key{Workload: ref, Direction: part.dir, Peer: peerOf(f.Peer), Port: f.Port,
				Protocol: corev1.Protocol(f.Protocol), Process: f.Process},
				Count: uint64(max(f.Count, 0)), Failed: uint64(max(f.Failed, 0)),
				Failures:  flow.Failures{Refused: uint64(max(f.Refused, 0)), TimedOut: uint64(max(f.TimedOut, 0)), Unreachable: uint64(max(f.Unreachable, 0))},
				FirstSeen: f.FirstSeen.Time, LastSeen: f.LastSeen.Time})
		}
	}
	flow.SortFlows(out)
	return out
}

func peerOf(p v1alpha1.Peer) flow.Peer {
	out := flow.Peer{Kind: flow.PeerKind(p.Kind), IP: addr(p.IP), Node: p.Node}
	if p.Kind == string(flow.PeerWorkload) {
		out.Workload = flow.WorkloadRef{Namespace: p.Namespace, Kind: flow.Kind(p.WorkloadKind), Name: p.Name}
	}
	if s := p.ServiceRef; s != nil {
		out.Service = flow.ServiceRef{Namespace: s.Namespace, Name: s.Name, Port: s.Port}
	}
	return out
}

// PeerKey names a workload peer in BaselineContext.Peers.
func PeerKey(w flow.WorkloadRef) string { return w.String() }

func parseRef(s string) (flow.WorkloadRef, error) {
	parts := strings.SplitN(s, "/", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return flow.WorkloadRef{}, fmt.Errorf("peer %q: want namespace/Kind/name", s)
	}
	return flow.WorkloadRef{Namespace: parts[0], Kind: flow.Kind(parts[1]), Name: parts[2]}, nil
}
