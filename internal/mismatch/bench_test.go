package mismatch

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// The size of the benchmark.
const (
	benchWorkloads = 1000
	benchPerNS     = 10
	benchEdges     = 50 // per workload: 50k in all
)

// benchWorld is benchWorkloads workloads, benchPerNS to a namespace, each
// with a policy (ingress from one tier and namespace, egress to one peer
// and an external range) and a baseline of benchEdges flows to random
// peers, a tenth external.
func benchWorld() (*fakeInventory, *fakeBaselines) { return benchWorldBroken(1) }

// benchWorldBroken is benchWorld where only one workload in every is has
// the restrictive policy; the others' policies allow all their traffic
// (a healthy cluster: few blocked flows, every policy still evaluated).
func benchWorldBroken(every int) (*fakeInventory, *fakeBaselines) {
	r := rand.New(rand.NewPCG(42, 7))
	c := &policy.Cluster{Namespaces: map[string]map[string]string{}, Workloads: map[flow.WorkloadRef]policy.Workload{}}
	refs := make([]flow.WorkloadRef, benchWorkloads)
	for i := range refs {
		ns := fmt.Sprintf("ns%03d", i/benchPerNS)
		c.Namespaces[ns] = map[string]string{policy.MetadataNameLabel: ns, "team": fmt.Sprintf("t%d", i/benchPerNS%5)}
		refs[i] = flow.WorkloadRef{Namespace: ns, Kind: flow.KindDeployment, Name: fmt.Sprintf("w%04d", i)}
		c.Workloads[refs[i]] = policy.Workload{Ref: refs[i], Labels: map[string]string{"app": refs[i].Name, "tier": fmt.Sprintf("t%d", i%3)},
			IPs:   []netip.Addr{netip.AddrFrom4([4]byte{198, 18, byte(i / 250), byte(i%250 + 1)})},
			Ports: []policy.NamedPort{{Name: "http", Port: 8080, Protocol: corev1.ProtocolTCP}}}
	}
	snap := &inventory.Snapshot{Cluster: c, Adjustments: map[flow.WorkloadRef]policy.Adjustments{}, Taken: time.Now()}
	bl := &fakeBaselines{by: map[flow.WorkloadRef]flow.Baseline{}}
	for i, ref := range refs {
		np := benchPolicy(ref, refs[r.IntN(len(refs))], 8100, 1)
		if i%every != 0 {
			np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{})
			np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{})
		}
		snap.Policies = append(snap.Policies, np)
		bl.by[ref] = benchBaseline(r, ref, refs, i)
	}
	return &fakeInventory{snap: snap}, bl
}

func benchPolicy(self, peer flow.WorkloadRef, upTo int32, version int) networkingv1.NetworkPolicy {
	tcp := corev1.ProtocolTCP
	http, p9090, p8000, p443 := intstr.FromString("http"), intstr.FromInt32(9090), intstr.FromInt32(8000), intstr.FromInt32(443)
	return networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: self.Namespace, Name: self.Name, ResourceVersion: strconv.Itoa(version)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": self.Name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{
					{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "t1"}}},
					{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "t2"}}}},
				Ports: []networkingv1.NetworkPolicyPort{{Port: &http}, {Protocol: &tcp, Port: &p9090}}}},
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{policy.MetadataNameLabel: peer.Namespace}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app": peer.Name}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &p8000, EndPort: &upTo}}},
				{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "203.0.113.0/24", Except: []string{"203.0.113.128/25"}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &p443}}},
			},
		},
	}
}

func benchBaseline(r *rand.Rand, ref flow.WorkloadRef, refs []flow.WorkloadRef, seed int) flow.Baseline {
	b := flow.Baseline{Workload: ref}
	ports := []int32{53, 443, 5432, 6379, 8080, 9090}
	t0 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for e := range benchEdges {
		dir := flow.Egress
		if e%2 == 1 {
			dir = flow.Ingress
		}
		p := flow.Peer{Kind: flow.PeerWorkload, Workload: refs[r.IntN(len(refs))]}
		if e%10 == 0 {
			p = flow.Peer{Kind: flow.PeerExternal, IP: netip.AddrFrom4([4]byte{203, 0, 113, byte(r.IntN(250))})}
		}
		b.Flows = append(b.Flows, flow.Flow{Key: flow.Key{Workload: ref, Direction: dir, Peer: p, Port: ports[r.IntN(len(ports))] + int32(e/len(ports)%2),
			Protocol: corev1.ProtocolTCP, Process: "app"}, Count: uint64(seed + e + 1), FirstSeen: t0, LastSeen: t0})
	}
	b.Flows = flow.Aggregate(b.Flows)
	return b
}

// BenchmarkMismatchFull: one full evaluation (read every baseline, judge
// every workload, export) of the world. Goal: <= 1 s.
func BenchmarkMismatchFull(b *testing.B) { benchFull(b, 1) }

// BenchmarkMismatchFullHealthy: the same in a cluster where 1 % of the
// workloads' policies block traffic.
func BenchmarkMismatchFullHealthy(b *testing.B) { benchFull(b, 100) }

func benchFull(b *testing.B, every int) {
	inv, bl := benchWorldBroken(every)
	var series int
	var cpu time.Duration
	for b.Loop() {
		ev, reg := newTestEvaluator(inv, bl)
		c0 := processCPU()
		if err := ev.Round(b.Context(), true); err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - c0
		b.StopTimer()
		series = countSeries(b, reg)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/full")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/full")
	b.ReportMetric(float64(series), "series")
}

// BenchmarkMismatchIncremental: the round after one policy changes (its
// egress port range, alternately widened and narrowed). Goal: <= 10 ms.
func BenchmarkMismatchIncremental(b *testing.B) { benchIncremental(b, 1) }

// BenchmarkMismatchIncrementalHealthy: the same where 1 % of the
// workloads' policies block traffic.
func BenchmarkMismatchIncrementalHealthy(b *testing.B) { benchIncremental(b, 100) }

func benchIncremental(b *testing.B, every int) {
	inv, bl := benchWorldBroken(every)
	ev, _ := newTestEvaluator(inv, bl)
	if err := ev.Round(b.Context(), true); err != nil {
		b.Fatal(err)
	}
	target := inv.snap.Policies[len(inv.snap.Policies)/2]
	self := flow.WorkloadRef{Namespace: target.Namespace, Kind: flow.KindDeployment, Name: target.Name}
	peer := flow.WorkloadRef{Namespace: target.Spec.Egress[0].To[0].NamespaceSelector.MatchLabels[policy.MetadataNameLabel],
		Kind: flow.KindDeployment, Name: target.Spec.Egress[0].To[0].PodSelector.MatchLabels["app"]}
	var judged int
	var cpu time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		upTo := int32(8100)
		if i%2 == 0 {
			upTo = 9100
		}
		inv.update(func(s *inventory.Snapshot) {
			for j := range s.Policies {
				if s.Policies[j].Namespace == self.Namespace && s.Policies[j].Name == self.Name {
					s.Policies[j] = benchPolicy(self, peer, upTo, i+2)
				}
			}
		})
		old := ev.state.snap
		judged = len(ev.state.affected(diff(old, inv.snap), old, inv.snap))
		b.StartTimer()
		c0 := processCPU()
		ev.Notify()
		if err := ev.Round(b.Context(), false); err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - c0
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/incremental")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/incremental")
	b.ReportMetric(float64(judged), "workloads-judged")
}

// countSeries counts the blocked-flows series reg exposes.
func countSeries(b *testing.B, reg prometheus.Gatherer) int {
	mfs, err := reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == blockedFlows {
			return len(mf.GetMetric())
		}
	}
	return 0
}
