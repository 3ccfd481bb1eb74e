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
	checkMatchesBruteForce(t, func(p []networkingv1.NetworkPolicy) []networkingv1.NetworkPolicy { return p })
}

// The same with policies versioned as the API server versions them, so
// that Check's cache of compiled namespaces (indexCache) serves the
// namespaces whose policies a case keeps from the case before (half of
// them) and must see those it changes.
func TestCheckMatchesBruteForceWithVersionedPolicies(t *testing.T) {
	checkMatchesBruteForce(t, newFakeVersions().next)
}

func checkMatchesBruteForce(t *testing.T, version func([]networkingv1.NetworkPolicy) []networkingv1.NetworkPolicy) {
	w := newRandomWorld()
	c, baselines := w.cluster()
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		before := version(w.policies(r))
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
		if diff := coveredDiff(bruteForceFlows(c, before, after, touched), checkFlows(c, before, change, touched)); diff != "" {
			t.Fatalf("case %d, %s of %s: reported flows (-brute force +Check):\n%s\nbefore: %s\nchange: %s",
				i, change.Operation, changedName(change), diff, toYAML(t, before), toYAML(t, change))
		}
	}
}

// bruteForceFlows: the flows with connects (failed-only ones are never
// traffic to allow) that Evaluate allows before and blocks after, at some
// pair of their ends.
func bruteForceFlows(c *Cluster, before, after []networkingv1.NetworkPolicy, baselines []flow.Baseline) map[flow.Key]bool {
	out := map[flow.Key]bool{}
	for k, v := range bruteForce(c, before, after, baselines) {
		if v.blocked {
			out[k] = true
		}
	}
	return out
}

// bruteForce evaluates every flow at every pair of its ends (each address
// of each pod on both sides) with Evaluate, before and after.
func bruteForce(c *Cluster, before, after []networkingv1.NetworkPolicy, baselines []flow.Baseline) map[flow.Key]outcome {
	eb, ea := NewEvaluator(before, c.Namespaces), NewEvaluator(after, c.Namespaces)
	out := map[flow.Key]outcome{}
	for _, b := range baselines {
		for _, f := range b.Flows {
			if f.Count == 0 {
				continue
			}
			var o outcome
			stays := false
			for _, conn := range allConnections(c, f) {
				vb, va := eb.Evaluate(conn), ea.Evaluate(conn)
				if !vb.Allowed {
					continue
				}
				if va.Allowed {
					stays = true
					continue
				}
				own, theirs := !va.Egress.Allowed, !va.Ingress.Allowed
				if f.Direction == flow.Ingress {
					own, theirs = theirs, own
				}
				o.blocked, o.own, o.peer = true, o.own || own, o.peer || theirs
			}
			o.partial = o.blocked && stays
			if o.blocked {
				out[f.Key] = o
			}
		}
	}
	return reportedOnce(out)
}

// reportedOnce drops the copy of a connection seen at both ends that only
// the peer's end blocks when the peer's own copy is blocked at its own end:
// one connection, one finding.
func reportedOnce(out map[flow.Key]outcome) map[flow.Key]outcome {
	type conn struct {
		self, peer flow.WorkloadRef
		dir        flow.Direction
		port       int32
		proto      string
	}
	ownBlocked := map[conn]bool{}
	for k, o := range out {
		if o.own && k.Peer.Kind == flow.PeerWorkload {
			ownBlocked[conn{k.Workload, k.Peer.Workload, k.Direction, k.Port, string(k.Protocol)}] = true
		}
	}
	for k, o := range out {
		mirror := conn{k.Peer.Workload, k.Workload, flow.Egress, k.Port, string(k.Protocol)}
		if k.Direction == flow.Egress {
			mirror.dir = flow.Ingress
		}
		if !o.own && k.Peer.Kind == flow.PeerWorkload && ownBlocked[mirror] {
			delete(out, k)
		}
	}
	return out
}

// allConnections is the flow as a connection between every pair of its
// ends, built from the snapshot without the checker.
func allConnections(c *Cluster, f flow.Flow) []Connection {
	selfs := testEnds(c.Workloads[f.Workload])
	peers := []Endpoint{{IP: f.Peer.IP}}
	if f.Peer.Kind == flow.PeerWorkload {
		peers = testEnds(c.Workloads[f.Peer.Workload])
	}
	var out []Connection
	for _, s := range selfs {
		for _, p := range peers {
			conn := Connection{Source: s, Destination: p, Port: f.Port, Protocol: f.Protocol}
			if f.Direction == flow.Ingress {
				conn.Source, conn.Destination = p, s
			}
			out = append(out, conn)
		}
	}
	return out
}

// testEnds: one end per address of each pod, labelled as the pod is.
func testEnds(w Workload) []Endpoint {
	type pod struct {
		labels map[string]string
		ips    []netip.Addr
	}
	pods := []pod{{w.Labels, w.IPs}}
	if len(w.Pods) > 0 {
		pods = nil
		for _, p := range w.Pods {
			l := p.Labels
			if l == nil {
				l = w.Labels
			}
			pods = append(pods, pod{l, p.IPs})
		}
	}
	var out []Endpoint
	for _, p := range pods {
		for _, ip := range p.ips {
			out = append(out, Endpoint{Pod: &Pod{Namespace: w.Ref.Namespace, Labels: p.labels, Ports: w.Ports, HostNetwork: w.HostNetwork}, IP: ip})
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

// connectionFor is the connection of a flow of a world with one address
// per workload.
func connectionFor(c *Cluster, f flow.Flow) (Connection, bool) {
	conns := allConnections(c, f)
	if len(conns) != 1 {
		return Connection{}, false
	}
	return conns[0], true
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
