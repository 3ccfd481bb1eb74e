package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// TestCheckMatchesBruteForce compares Check, with its shortcuts (only the
// changed namespace re-indexed, the peer's side skipped when it cannot
// matter), with a brute force over Evaluate: on random policies and random
// changes, the connections Check reports are exactly those that Evaluate
// allows before the change and blocks after. Every pod-to-pod connection is
// in both ends' baselines, so whichever side the change isolates reports it.
func TestCheckMatchesBruteForce(t *testing.T) {
	w := newRandomWorld()
	c, baselines := w.cluster()
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		before := w.policies(r)
		change := randomChange(r, w, before)
		after := applyChange(before, change)
		want := map[string]bool{}
		for _, b := range baselines {
			for _, f := range b.Flows {
				conn, _ := connectionFor(c, f)
				if Evaluate(before, c.Namespaces, conn).Allowed && !Evaluate(after, c.Namespaces, conn).Allowed {
					want[describeConn(conn)] = true
				}
			}
		}
		var touched []flow.Baseline
		for _, ref := range Touched(c, change) {
			touched = append(touched, baselines[ref])
		}
		got := map[string]bool{}
		for _, fd := range Check(CheckInput{Cluster: c, Policies: before, Change: change, Baselines: touched}).Findings {
			conn, _ := connectionFor(c, fd.Flow)
			got[describeConn(conn)] = true
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("case %d, %s of %s: reported connections (-brute force +Check):\n%s\nbefore: %s\nchange: %s",
				i, change.Operation, changedName(change), diff, toYAML(t, before), toYAML(t, change))
		}
		if diff := cmp.Diff(bruteForceFlows(c, before, after, change, touched), checkFlows(c, before, change, touched)); diff != "" {
			t.Fatalf("case %d, %s of %s: reported flows (-brute force +Check):\n%s\nbefore: %s\nchange: %s",
				i, change.Operation, changedName(change), diff, toYAML(t, before), toYAML(t, change))
		}
	}
}

// bruteForceFlows: the flows, in the directions the change selects their
// workload for, that Evaluate allows before and blocks after.
func bruteForceFlows(c *Cluster, before, after []networkingv1.NetworkPolicy, ch Change, baselines []flow.Baseline) map[flow.Key]bool {
	out := map[flow.Key]bool{}
	for _, b := range baselines {
		in, eg := affects(changedPolicies(ch), c.Workloads[b.Workload])
		for _, f := range b.Flows {
			if f.Direction == flow.Ingress && !in || f.Direction == flow.Egress && !eg {
				continue
			}
			conn, _ := connectionFor(c, f)
			if Evaluate(before, c.Namespaces, conn).Allowed && !Evaluate(after, c.Namespaces, conn).Allowed {
				out[f.Key] = true
			}
		}
	}
	return out
}

func checkFlows(c *Cluster, before []networkingv1.NetworkPolicy, ch Change, baselines []flow.Baseline) map[flow.Key]bool {
	out := map[flow.Key]bool{}
	for _, fd := range Check(CheckInput{Cluster: c, Policies: before, Change: ch, Baselines: baselines}).Findings {
		out[fd.Flow.Key] = true
	}
	return out
}

// cluster turns the world into a snapshot (one workload per pod) and a
// baseline per workload with every connection, both ways, on every port.
func (w *randomWorld) cluster() (*Cluster, map[flow.WorkloadRef]flow.Baseline) {
	c := &Cluster{Namespaces: w.namespaces, Workloads: map[flow.WorkloadRef]Workload{}}
	peerOf := map[int]flow.Peer{}
	for i, ep := range w.endpoints {
		if ep.Pod == nil {
			peerOf[i] = flow.Peer{Kind: flow.PeerExternal, IP: ep.IP}
			continue
		}
		ref := flow.WorkloadRef{Namespace: ep.Pod.Namespace, Kind: flow.KindDeployment, Name: ep.Pod.Labels["pod"]}
		c.Workloads[ref] = Workload{Ref: ref, Labels: ep.Pod.Labels, IPs: []netip.Addr{ep.IP}, Ports: ep.Pod.Ports}
		peerOf[i] = flow.Peer{Kind: flow.PeerWorkload, Workload: ref}
	}
	baselines := map[flow.WorkloadRef]flow.Baseline{}
	for i := range w.endpoints {
		self := peerOf[i]
		if self.Kind != flow.PeerWorkload {
			continue
		}
		b := flow.Baseline{Workload: self.Workload}
		for j := range w.endpoints {
			for _, p := range worldPorts {
				for _, dir := range []flow.Direction{flow.Egress, flow.Ingress} {
					b.Flows = append(b.Flows, flow.Flow{Key: flow.Key{Workload: self.Workload, Direction: dir, Peer: peerOf[j], Port: p.port, Protocol: p.proto}, Count: 1})
				}
			}
		}
		baselines[self.Workload] = b
	}
	return c, baselines
}

// connectionFor is the connection of a flow of the snapshot.
func connectionFor(c *Cluster, f flow.Flow) (Connection, bool) {
	k := newChecker(CheckInput{Cluster: c})
	self, _ := k.endpoint(f.Workload)
	conn, _, ok := k.connection(self, &f)
	return conn, ok
}

func randomChange(r *rand.Rand, w *randomWorld, existing []networkingv1.NetworkPolicy) Change {
	fresh := w.policies(r)[0]
	i := r.IntN(len(existing))
	switch r.IntN(3) {
	case 0:
		fresh.Name = fmt.Sprintf("new-%d", r.IntN(100))
		return Change{Operation: Create, New: &fresh}
	case 1:
		fresh.Namespace, fresh.Name = existing[i].Namespace, existing[i].Name
		return Change{Operation: Update, Old: &existing[i], New: &fresh}
	}
	return Change{Operation: Delete, Old: &existing[i]}
}

func applyChange(before []networkingv1.NetworkPolicy, ch Change) []networkingv1.NetworkPolicy {
	var out []networkingv1.NetworkPolicy
	for _, np := range before {
		if !sameName(&np, ch.Old) && !sameName(&np, ch.New) {
			out = append(out, np)
		}
	}
	if ch.New != nil {
		out = append(out, *ch.New)
	}
	return out
}
