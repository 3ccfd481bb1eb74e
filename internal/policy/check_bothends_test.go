package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// TestCheckMatchesBruteForceAtBothEnds: in random worlds where a
// connection is in only one of its ends' baselines (as when one end's node
// runs no observer), workloads have two replicas in different subnets and
// an IPv6 address each (so ipBlocks split them), and one workload is on the
// host network, Check reports exactly the flows that Evaluate, at every
// pair of the flow's ends, allows before the change and blocks after; and
// says which end blocks and whether only some pairs are blocked (a
// connection both ends saw once, from either end: coveredDiff). Every
// baseline is passed, and failed-only flows are mixed in: they are never
// reported.
func TestCheckMatchesBruteForceAtBothEnds(t *testing.T) {
	w := newRandomWorld()
	r := rand.New(rand.NewPCG(7, 8))
	c, baselines := w.replicatedCluster(r)
	var seen struct{ blocked, peerOnly, partial int }
	for i := range 150 {
		before := w.policies(r)
		change := randomChange(r, w, before)
		after := applyChange(before, change)
		want := bruteForce(c, before, after, baselines)
		got := map[flow.Key]outcome{}
		for _, fd := range Check(CheckInput{Cluster: c, Policies: before, Change: change, Baselines: baselines}).Findings {
			got[fd.Flow.Key] = outcome{blocked: true, partial: fd.Partial, own: !fd.OwnSideAllowed, peer: fd.PeerSide}
		}
		if diff := coveredDiff(want, got); diff != "" {
			t.Fatalf("case %d, %s of %s: reported flows (-brute force +Check):\n%s\nbefore: %s\nchange: %s",
				i, change.Operation, changedName(change), diff, toYAML(t, before), toYAML(t, change))
		}
		for _, o := range want {
			seen.blocked++
			if !o.own {
				seen.peerOnly++
			}
			if o.partial {
				seen.partial++
			}
		}
	}
	t.Logf("blocked flows: %d, at the peer's end only: %d, for some pairs only: %d", seen.blocked, seen.peerOnly, seen.partial)
	if seen.peerOnly == 0 || seen.partial == 0 {
		t.Errorf("the worlds never exercised a peer-only or a partial block: %+v", seen)
	}
}

// replicatedCluster is the world with each pod a workload of two replicas
// (198.18.n.p and 198.18.1n.p, each with an IPv6 address, and a replica
// label), a host-network agent, and baselines where each connection is seen
// by its source, its destination or both, drawn by r. One flow in five is a
// failed connect only.
func (w *randomWorld) replicatedCluster(r *rand.Rand) (*Cluster, []flow.Baseline) {
	c := &Cluster{Namespaces: w.namespaces, Workloads: map[flow.WorkloadRef]Workload{}}
	var peers []flow.Peer
	for _, ep := range w.endpoints {
		if ep.Pod == nil {
			peers = append(peers, flow.Peer{Kind: flow.PeerExternal, IP: ep.IP})
			continue
		}
		ref := flow.WorkloadRef{Namespace: ep.Pod.Namespace, Kind: flow.KindDeployment, Name: ep.Pod.Labels["pod"]}
		v4 := ep.IP.As4()
		wk := Workload{Ref: ref, Labels: ep.Pod.Labels, Ports: ep.Pod.Ports}
		for rep := range 2 {
			l := map[string]string{"replica": fmt.Sprint(rep)}
			for k, v := range ep.Pod.Labels {
				l[k] = v
			}
			ip4 := netip.AddrFrom4([4]byte{198, 18, v4[2] + byte(10*rep), v4[3]})
			ip6 := netip.AddrFrom16([16]byte{0: 0xfd, 14: v4[2] + byte(10*rep), 15: v4[3]})
			wk.Pods = append(wk.Pods, PodInfo{Labels: l, IPs: []netip.Addr{ip4, ip6}})
		}
		c.Workloads[ref] = wk
		peers = append(peers, flow.Peer{Kind: flow.PeerWorkload, Workload: ref})
	}
	agent := flow.WorkloadRef{Namespace: "x", Kind: flow.KindDaemonSet, Name: "agent"}
	c.Workloads[agent] = Workload{Ref: agent, Labels: map[string]string{"pod": "a", "tier": "web"}, HostNetwork: true,
		IPs: []netip.Addr{netip.MustParseAddr("198.18.255.1"), netip.MustParseAddr("198.18.2.1")}}
	peers = append(peers, flow.Peer{Kind: flow.PeerWorkload, Workload: agent})
	byRef := map[flow.WorkloadRef]*flow.Baseline{}
	var order []flow.WorkloadRef
	add := func(self flow.WorkloadRef, dir flow.Direction, peer flow.Peer, p int) {
		b, ok := byRef[self]
		if !ok {
			b = &flow.Baseline{Workload: self}
			byRef[self] = b
			order = append(order, self)
		}
		f := flow.Flow{Key: flow.Key{Workload: self, Direction: dir, Peer: peer, Port: worldPorts[p].port, Protocol: worldPorts[p].proto}, Count: 1}
		if r.IntN(5) == 0 {
			f.Count, f.Failed = 0, 1
		}
		b.Flows = append(b.Flows, f)
	}
	for _, src := range peers {
		for _, dst := range peers {
			for p := range worldPorts {
				seen := r.IntN(3) // 0: by the source, 1: by the destination, 2: both
				if src.Kind == flow.PeerWorkload && seen != 1 || dst.Kind != flow.PeerWorkload && src.Kind == flow.PeerWorkload {
					add(src.Workload, flow.Egress, dst, p)
				}
				if dst.Kind == flow.PeerWorkload && (seen != 0 || src.Kind != flow.PeerWorkload) {
					add(dst.Workload, flow.Ingress, src, p)
				}
			}
		}
	}
	out := make([]flow.Baseline, 0, len(order))
	for _, ref := range order {
		out = append(out, *byRef[ref])
	}
	return c, out
}
