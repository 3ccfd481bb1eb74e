package policy

import (
	"slices"
	"strings"
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// BenchmarkCheck: one proposed policy against 1,000 existing policies and
// baselines totalling 50k edges over 1,000 workloads (50 namespaces of 20).
// The proposal selects one workload, or a whole namespace (20 workloads).
// Check gets what it needs: the touched workloads' baselines and, from a
// PeerIndex built once, the other workloads' flows to them (a change can
// block a flow at the peer's end) — about 1,000 edges for a namespace. The
// "-unnarrowed" scopes pass all 50k edges instead, as a caller without an
// index would. Every synthetic workload has a policy isolating it both
// ways, so a default deny only adds to what its pods allow and Check skips
// judging them (see narrows); "namespace-first" leaves the namespace's
// policies out, so that the default deny isolates its pods for the first
// time and every edge is judged and most become findings;
// "namespace-first-10-texts" is that Check with TextLimit 10, as a caller
// that shows ten warnings can ask for (the webhook does not yet). The p50 and p99
// of the per-call times are reported, wall-clock and thread CPU; the
// narrowing itself is not timed (it is done once per proposal, so that its
// garbage is not collected during Check).
func BenchmarkCheck(b *testing.B) {
	s := newSynthetic(1000, 20, 50)
	x := NewPeerIndex(s.baselines)
	narrowed := map[string][]flow.Baseline{}             // by scope and selected workload or namespace
	without := map[string][]networkingv1.NetworkPolicy{} // the policies without a namespace's
	for _, scope := range []string{"workload", "namespace", "namespace-first", "namespace-first-10-texts", "workload-unnarrowed", "namespace-unnarrowed"} {
		b.Run(scope, func(b *testing.B) {
			var times, cpu []time.Duration
			defer lockThread()()
			for i := 0; b.Loop(); i++ {
				in := s.proposal(i, strings.HasPrefix(scope, "namespace"))
				if !strings.HasSuffix(scope, "-unnarrowed") {
					key := scope + "/" + in.Change.New.Namespace + "/" + canonical(in.Change.New.Spec.PodSelector.MatchLabels)
					if _, ok := narrowed[key]; !ok {
						narrowed[key] = s.narrowed(x, in)
					}
					in.Baselines = narrowed[key]
				}
				if strings.HasPrefix(scope, "namespace-first") {
					ns := in.Change.New.Namespace
					if _, ok := without[ns]; !ok {
						without[ns] = s.policiesWithout(ns)
					}
					in.Policies = without[ns]
				}
				if strings.HasSuffix(scope, "-10-texts") {
					in.TextLimit = 10
				}
				start, startCPU := time.Now(), threadCPU()
				Check(in)
				times, cpu = append(times, time.Since(start)), append(cpu, threadCPU()-startCPU)
			}
			reportPercentiles(b, "", times)
			reportPercentiles(b, "cpu-", cpu)
		})
	}
}

// narrowed is what a caller with a PeerIndex passes Check.
func (s synthetic) narrowed(x *PeerIndex, in CheckInput) []flow.Baseline {
	touched := Touched(in.Cluster, in.Change)
	var out []flow.Baseline
	for _, ref := range touched {
		out = append(out, s.baselines[s.index[ref]])
	}
	return append(out, x.Inbound(touched)...)
}

// policiesWithout are the policies of every namespace but ns.
func (s synthetic) policiesWithout(ns string) []networkingv1.NetworkPolicy {
	var out []networkingv1.NetworkPolicy
	for _, np := range s.policies {
		if np.Namespace != ns {
			out = append(out, np)
		}
	}
	return out
}

// proposal is the i-th proposed policy: a default deny of one workload or
// of its whole namespace that allows egress to team t1 on 5432.
func (s synthetic) proposal(i int, namespace bool) CheckInput {
	ref := s.refs[(i*37)%len(s.refs)]
	sel := map[string]string{"app": ref.Name}
	if namespace {
		sel = map[string]string{}
	}
	np := makePolicy(ref.Namespace, "proposed", sel, types(ing, egr), egressRule(peers(nsPeer(map[string]string{"team": "t1"})), tcp(5432)))
	return CheckInput{Cluster: s.cluster, Policies: s.policies, Change: Change{Operation: Create, New: &np}, Baselines: s.baselines}
}

// reportPercentiles reports the median and p99 of per-call times, in ms.
func reportPercentiles(b *testing.B, prefix string, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	at := func(q float64) float64 {
		return float64(times[min(len(times)-1, int(q*float64(len(times))))].Nanoseconds()) / 1e6
	}
	b.ReportMetric(at(0.50), prefix+"p50-ms")
	b.ReportMetric(at(0.99), prefix+"p99-ms")
}

// BenchmarkRecommend: one recommendation for each of 1,000 workloads with
// 50 edges each; total-ms is the time for all 1,000.
func BenchmarkRecommend(b *testing.B) {
	s := newSynthetic(1000, 20, 50)
	adj := Adjustments{}
	var total time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		for _, bl := range s.baselines {
			if _, err := Recommend(s.cluster, bl, adj); err != nil {
				b.Fatal(err)
			}
		}
		total += time.Since(start)
		n++
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(n)/1e6, "total-ms")
}
