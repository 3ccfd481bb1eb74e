package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func loadStory(t *testing.T) (fixture, *Cluster) {
	t.Helper()
	var f fixture
	readYAML(t, "story/cluster.yaml", &f)
	return f, f.cluster()
}

// Step 2 of the story: the hand-written policy would break DNS, the external
// MongoDB and cassandra, and nothing else.
func TestStoryCheckFindsTheThreePitfalls(t *testing.T) {
	f, c := loadStory(t)
	hand := readPolicy(t, "story/handwritten.yaml")
	change := Change{Operation: Create, New: &hand}
	if diff := cmp.Diff([]flow.WorkloadRef{f.Baseline.Workload}, Touched(c, change)); diff != "" {
		t.Fatalf("Touched (-want +got):\n%s", diff)
	}
	r := Check(CheckInput{Cluster: c, Change: change, Baselines: []flow.Baseline{f.Baseline}})
	type problem struct {
		Class Class
		Peer  string
		Port  int32
		Proto corev1.Protocol
	}
	var got []problem
	for _, fd := range r.Findings {
		got = append(got, problem{fd.Class, fd.Flow.Peer.String(), fd.Flow.Port, fd.Flow.Protocol})
	}
	want := []problem{
		{ClassExternal, "external 203.0.113.7", 27017, corev1.ProtocolTCP},
		{ClassPeer, "example-java-app/Deployment/example-java-app-cassandra via service example-java-app/example-java-app-cassandra:9042", 9042, corev1.ProtocolTCP},
		{ClassDNS, "kube-system/Deployment/coredns via service kube-system/kube-dns:53", 53, corev1.ProtocolUDP},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if len(r.Excluded) != 0 {
		t.Errorf("excluded = %v, want none", r.Excluded)
	}
	golden(t, "story/check.golden.yaml", r)
}

// Step 3: with 203.0.113.7/32 allowed and cassandra excluded, the
// recommendation means the fixed policy, and applying it warns about
// nothing the user dropped on purpose.
func TestStoryRecommendMeansTheFixedPolicy(t *testing.T) {
	f, c := loadStory(t)
	rec, err := Recommend(c, f.Baseline, f.Adjustments)
	if err != nil {
		t.Fatalf("Recommend: %v", err)
	}
	golden(t, "story/recommended.golden.yaml", rec)
	fixed := readPolicy(t, "story/fixed.yaml")
	for _, p := range storyProbes(c, f.Baseline.Workload) {
		want := Evaluate([]networkingv1.NetworkPolicy{fixed}, c.Namespaces, p.conn).Allowed
		if got := Evaluate([]networkingv1.NetworkPolicy{rec}, c.Namespaces, p.conn).Allowed; got != want {
			t.Errorf("%s: recommended allows = %v, fixed allows = %v", p.name, got, want)
		}
	}
	adj := map[flow.WorkloadRef]Adjustments{f.Baseline.Workload: f.Adjustments}
	r := Check(CheckInput{Cluster: c, Change: Change{Operation: Create, New: &rec}, Baselines: []flow.Baseline{f.Baseline}, Adjustments: adj})
	if len(r.Findings) != 0 {
		t.Errorf("findings after recommendation = %v, want none", r.Findings)
	}
	if len(r.Excluded) != 1 || r.Excluded[0].Flow.Peer.Workload.Name != "example-java-app-cassandra" {
		t.Errorf("excluded = %v, want cassandra only", r.Excluded)
	}
}

// Replacing the hand-written policy by the recommendation blocks nothing
// the hand-written one allowed.
func TestStoryUpdateToRecommendation(t *testing.T) {
	f, c := loadStory(t)
	hand := readPolicy(t, "story/handwritten.yaml")
	rec, err := Recommend(c, f.Baseline, f.Adjustments)
	if err != nil {
		t.Fatalf("Recommend: %v", err)
	}
	rec.Name = hand.Name
	r := Check(CheckInput{Cluster: c, Policies: []networkingv1.NetworkPolicy{hand},
		Change: Change{Operation: Update, Old: &hand, New: &rec}, Baselines: []flow.Baseline{f.Baseline}})
	if len(r.Findings)+len(r.Excluded) != 0 {
		t.Errorf("report = %+v, want empty", r)
	}
	del := Check(CheckInput{Cluster: c, Policies: []networkingv1.NetworkPolicy{hand},
		Change: Change{Operation: Delete, Old: &hand}, Baselines: []flow.Baseline{f.Baseline}})
	if len(del.Findings) != 0 {
		t.Errorf("deleting a policy blocked %v", del.Findings)
	}
}

type probe struct {
	name string
	conn Connection
}

// storyProbes are connections from and to the workload: every other
// workload and two external addresses, on the story's ports and more.
func storyProbes(c *Cluster, self flow.WorkloadRef) []probe {
	me := endpointOf(c.Workloads[self])
	others := map[string]Endpoint{
		"203.0.113.7": {IP: netip.MustParseAddr("203.0.113.7")},
		"203.0.113.8": {IP: netip.MustParseAddr("203.0.113.8")},
	}
	for ref, w := range c.Workloads {
		others[ref.String()] = endpointOf(w)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range others {
			if !yield(k) {
				return
			}
		}
	})
	var out []probe
	for _, n := range names {
		for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP} {
			for _, port := range []int32{53, 80, 6379, 8080, 9042, 27017} {
				out = append(out,
					probe{fmt.Sprintf("egress to %s %s/%d", n, proto, port), Connection{Source: me, Destination: others[n], Port: port, Protocol: proto}},
					probe{fmt.Sprintf("ingress from %s %s/%d", n, proto, port), Connection{Source: others[n], Destination: me, Port: port, Protocol: proto}})
			}
		}
	}
	return out
}
