package advice_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/internal/fixture"
)

const storyDir = "../../internal/policy/testdata/story/"

var t0 = time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)

func story(t *testing.T) (*advice.Advisor, *fixture.Story) {
	t.Helper()
	st, err := fixture.LoadStory(storyDir + "cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	adv := &advice.Advisor{Baselines: fixture.Baselines{st.Baseline.Workload: st.Baseline},
		Inventory: fixture.Static{S: st.Snapshot}, Now: func() time.Time { return t0 }}
	return adv, st
}

func handwritten(t *testing.T) *networkingv1.NetworkPolicy {
	t.Helper()
	data, err := os.ReadFile(storyDir + "handwritten.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var np networkingv1.NetworkPolicy
	if err := yaml.Unmarshal(data, &np); err != nil {
		t.Fatal(err)
	}
	return &np
}

func classes(fs []policy.Finding) []policy.Class {
	var out []policy.Class
	for _, f := range fs {
		out = append(out, f.Class)
	}
	return out
}

func TestCheckStory(t *testing.T) {
	adv, st := story(t)
	ch := policy.Change{Operation: policy.Create, New: handwritten(t)}
	got, err := adv.Check(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]policy.Class{policy.ClassExternal, policy.ClassPeer, policy.ClassDNS}, classes(got.Findings)); diff != "" {
		t.Errorf("findings before adjustments (-want +got):\n%s", diff)
	}
	if got.Enforce || len(got.Learning) != 0 {
		t.Errorf("enforce %v, learning %v; want neither", got.Enforce, got.Learning)
	}

	// The user's adjustments: cassandra excluded is no longer a finding.
	st.Snapshot.Adjustments[st.Baseline.Workload] = st.Adjustments
	st.Snapshot.Cluster.Namespaces["example-java-app"][advice.EnforceLabel] = "true"
	got, err = adv.Check(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]policy.Class{policy.ClassExternal, policy.ClassDNS}, classes(got.Findings)); diff != "" {
		t.Errorf("findings after adjustments (-want +got):\n%s", diff)
	}
	if len(got.Excluded) != 1 || !got.Enforce {
		t.Errorf("excluded %v, enforce %v; want cassandra excluded and enforcement on", got.Excluded, got.Enforce)
	}
}

// CheckShown writes the texts of the first findings only; the rest of the
// report is Check's.
func TestCheckShownWritesTheFirstTexts(t *testing.T) {
	adv, _ := story(t)
	ch := policy.Change{Operation: policy.Create, New: handwritten(t)}
	all, err := adv.Check(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	shown, err := adv.CheckShown(context.Background(), ch, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Findings) < 2 || len(shown.Findings) != len(all.Findings) {
		t.Fatalf("findings: %d shown of %d, want the story's three", len(shown.Findings), len(all.Findings))
	}
	if diff := cmp.Diff(all.Findings[0], shown.Findings[0], cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("the first finding (-all texts +one):\n%s", diff)
	}
	for i, f := range shown.Findings[1:] {
		want := all.Findings[i+1]
		want.Message, want.Fix = "", ""
		if diff := cmp.Diff(want, f, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
			t.Errorf("finding %d (-all texts, cleared +one):\n%s", i+1, diff)
		}
	}
}

func TestCheckWithoutBaselineIsLearning(t *testing.T) {
	adv, _ := story(t)
	adv.Baselines = fixture.Baselines{}
	got, err := adv.Check(context.Background(), policy.Change{Operation: policy.Create, New: handwritten(t)})
	if err != nil || len(got.Findings) != 0 || len(got.Learning) != 1 {
		t.Errorf("Check = %+v, %v; want javaapp learning and no finding", got, err)
	}
	adv.Baselines = failing{}
	if _, err := adv.Check(context.Background(), policy.Change{Operation: policy.Create, New: handwritten(t)}); err == nil {
		t.Error("a store error must be an error, not an empty report")
	}
}

type failing struct{}

func (failing) Baseline(context.Context, flow.WorkloadRef, flow.Window) (flow.Baseline, error) {
	return flow.Baseline{}, errors.New("disk on fire")
}

func TestRecommend(t *testing.T) {
	adv, st := story(t)
	w := st.Snapshot.Cluster.Workloads[st.Baseline.Workload]
	adjStr, err := adjust.Format(st.Adjustments)
	if err != nil {
		t.Fatal(err)
	}
	got, err := adv.Recommend(context.Background(), w, map[string]string{adjust.Annotation: adjStr})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(storyDir + "recommended.golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got.Policy); diff != "" {
		t.Errorf("policy annotation (-want +got):\n%s", diff)
	}
	wantSt := advice.Status{State: advice.Ready, Window: st.Baseline.Window, Flows: 6, ComputedAt: t0}
	if diff := cmp.Diff(wantSt, got.Status); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	m, err := got.Map()
	if err != nil || !got.Current(m) {
		t.Errorf("annotations %v (%v) are not current for themselves", m, err)
	}

	bad, err := adv.Recommend(context.Background(), w, map[string]string{adjust.Annotation: "allow: [{cidr: nope}]"})
	if err != nil || !strings.HasPrefix(bad.Status.Message, "adjustments ignored") || bad.Status.State != advice.Ready {
		t.Errorf("bad adjustments: %+v, %v; want ready with the reason", bad.Status, err)
	}
	if bad.Current(m) {
		t.Error("different annotations reported current")
	}

	w.Ref.Name = "new-app"
	learning, err := adv.Recommend(context.Background(), w, nil)
	if err != nil || learning.Status.State != advice.Learning || learning.Policy != "" {
		t.Errorf("new workload: %+v, %v; want learning without policy", learning, err)
	}
}

type counting struct {
	fixture.Baselines
	reads int
}

func (c *counting) Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error) {
	c.reads++
	return c.Baselines.Baseline(ctx, w, win)
}

func TestBaselineTTL(t *testing.T) {
	adv, st := story(t)
	now := t0
	adv.Now = func() time.Time { return now }
	cb := &counting{Baselines: fixture.Baselines{st.Baseline.Workload: st.Baseline}}
	adv.Baselines, adv.BaselineTTL, adv.Window = cb, 5*time.Second, 3*time.Hour
	ch := policy.Change{Operation: policy.Create, New: handwritten(t)}
	for range 3 {
		if r, err := adv.Check(context.Background(), ch); err != nil || len(r.Findings) != 3 {
			t.Fatalf("Check = %d findings, %v", len(r.Findings), err)
		}
	}
	if cb.reads != 1 {
		t.Errorf("%d store reads within the TTL, want 1", cb.reads)
	}
	now = now.Add(5 * time.Second)
	if _, err := adv.Check(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	if cb.reads != 2 {
		t.Errorf("%d store reads after the TTL, want 2", cb.reads)
	}
}

// Flows the store just applied are seen by the next check within the TTL:
// the server hands them to Ingested, which forgets those workloads'
// cached baselines (and only theirs).
func TestIngestedFlowsAreSeenWithinTheTTL(t *testing.T) {
	adv, st := story(t)
	adv.Now = func() time.Time { return t0 }
	cb := &counting{Baselines: fixture.Baselines{st.Baseline.Workload: st.Baseline}}
	adv.Baselines, adv.BaselineTTL, adv.Window = cb, 5*time.Second, 3*time.Hour
	ch := policy.Change{Operation: policy.Create, New: handwritten(t)}
	check := func() {
		t.Helper()
		if _, err := adv.Check(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
	}
	check()
	adv.Ingested([]flow.Flow{{Key: flow.Key{Workload: flow.WorkloadRef{Namespace: "other", Kind: flow.KindDeployment, Name: "x"}}}})
	check()
	if cb.reads != 1 {
		t.Errorf("%d store reads after another workload's flows, want 1", cb.reads)
	}
	adv.Ingested(st.Baseline.Flows[:1])
	check()
	if cb.reads != 2 {
		t.Errorf("%d store reads after the workload's own flows were applied, want 2", cb.reads)
	}
}

// Issue 10 item 4: a policy that isolates a workload with no baseline of
// its own still blocks the connections its peers were seen making to it.
func TestCheckJudgesPeersFlowsToTheTouchedWorkload(t *testing.T) {
	adv, _ := story(t)
	deny := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "deny-cassandra", Namespace: "example-java-app"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "example-java-app-cassandra"}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		},
	}
	got, err := adv.Check(context.Background(), policy.Change{Operation: policy.Create, New: deny})
	if err != nil {
		t.Fatal(err)
	}
	var flows []string
	for _, f := range got.Findings {
		flows = append(flows, fmt.Sprintf("%s %s %s %d", f.Flow.Workload.Name, f.Flow.Direction, f.Flow.Peer.Workload.Name, f.Flow.Port))
	}
	want := []string{"example-java-app-javaapp Egress example-java-app-cassandra 9042"}
	if diff := cmp.Diff(want, flows); diff != "" {
		t.Errorf("findings of an ingress deny on cassandra, which has no baseline (-want +got):\n%s", diff)
	}
}

// A workload's first flows show in the next review: "no baseline yet" is
// never served from the cache.
func TestBaselineTTLDoesNotKeepLearning(t *testing.T) {
	adv, st := story(t)
	adv.Now = func() time.Time { return t0 }
	bl := fixture.Baselines{}
	adv.Baselines, adv.BaselineTTL = bl, 5*time.Second
	w := st.Snapshot.Cluster.Workloads[st.Baseline.Workload]
	if got, err := adv.Recommend(context.Background(), w, nil); err != nil || got.Status.State != advice.Learning {
		t.Fatalf("before any flow: %+v, %v; want learning", got.Status, err)
	}
	bl[st.Baseline.Workload] = st.Baseline
	if got, err := adv.Recommend(context.Background(), w, nil); err != nil || got.Status.State != advice.Ready {
		t.Fatalf("right after the first flows, within the TTL: %+v, %v; want ready", got.Status, err)
	}
}
