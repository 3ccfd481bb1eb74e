package apiserver_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/aggregated"
)

const (
	storyDir    = "../../webhook/testdata/story/"
	storyGolden = "../policy/testdata/story/recommended.golden.yaml"
	storyNS     = "example-java-app"
	javaapp     = "example-java-app-javaapp"
)

// review creates a RecommendationReview of javaapp with kubectl and returns
// its policy, or kubectl's error output.
func review(t *testing.T, cp *testutil.ControlPlane, mode v1alpha1.AdjustmentsMode, adj v1alpha1.Adjustments) (networkingv1.NetworkPolicy, string) {
	t.Helper()
	rv := v1alpha1.RecommendationReview{Spec: v1alpha1.RecommendationReviewSpec{
		Workload: v1alpha1.WorkloadReference{Kind: "Deployment", Name: javaapp}, Adjustments: adj, Mode: mode}}
	rv.APIVersion, rv.Kind = v1alpha1.SchemeGroupVersion.String(), "RecommendationReview"
	in, err := json.Marshal(rv)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := cp.Kubectl(context.Background(), in, "create", "-n", storyNS, "-f", "-", "-o", "json")
	if err != nil {
		return networkingv1.NetworkPolicy{}, errOut
	}
	var got v1alpha1.RecommendationReview
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decode the review %s: %v", out, err)
	}
	return got.Status.Policy, ""
}

// egressPeers names what each egress rule of np allows: pod names and
// CIDRs, with the ports.
func egressPeers(np networkingv1.NetworkPolicy) []string {
	var out []string
	for _, r := range np.Spec.Egress {
		for _, p := range r.To {
			switch {
			case p.IPBlock != nil:
				out = append(out, p.IPBlock.CIDR)
			case p.PodSelector != nil:
				out = append(out, p.PodSelector.MatchLabels["app.kubernetes.io/name"]+p.PodSelector.MatchLabels["k8s-app"])
			}
		}
	}
	return out
}

// The page sends its whole proposal (mode Replace): a stored exclusion it
// undid shows in the answer before anything is saved, while the CLI's
// reviews (no mode, or Add) still add to the stored adjustments.
func TestRecommendationReviewReplacesOrAddsToStoredAdjustments(t *testing.T) {
	cp := aggregated.StartStory(t, storyDir)
	stored, err := os.ReadFile(storyDir + "adjustments.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := cp.Kubectl(context.Background(), nil, "annotate", "-n", storyNS, "deployment/"+javaapp,
		"netpol-advisor.io/adjustments="+string(stored)); err != nil {
		t.Fatalf("store the story's adjustments: %v\n%s", err, errOut)
	}
	var want networkingv1.NetworkPolicy
	raw, err := os.ReadFile(storyGolden)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	// The server's inventory sees the annotation a moment later.
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, errOut := review(t, cp, "", v1alpha1.Adjustments{})
		if errOut == "" && cmp.Equal(want.Spec, got.Spec) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a review without adjustments never followed the stored ones (-golden +got):\n%s%s", cmp.Diff(want.Spec, got.Spec), errOut)
		}
		time.Sleep(200 * time.Millisecond)
	}
	allowOnly := v1alpha1.Adjustments{Allow: []v1alpha1.AllowCIDR{{CIDR: "203.0.113.7/32", Alias: "external-mongodb"}}}
	cassandra := v1alpha1.Exclusion{Workload: &v1alpha1.ExcludedWorkload{Kind: "Deployment", Name: "example-java-app-cassandra"}}
	for _, tt := range []struct {
		name string
		mode v1alpha1.AdjustmentsMode
		adj  v1alpha1.Adjustments
		want []string
	}{
		{"add nothing: the stored decisions", v1alpha1.AdjustmentsAdd, v1alpha1.Adjustments{},
			[]string{"example-java-app-mongo", "203.0.113.7/32", "example-java-app-redis", "kube-dns"}},
		{"add the allowed CIDR again: cassandra stays excluded", v1alpha1.AdjustmentsAdd, allowOnly,
			[]string{"example-java-app-mongo", "203.0.113.7/32", "example-java-app-redis", "kube-dns"}},
		{"replace with nothing: every peer but the external one", v1alpha1.AdjustmentsReplace, v1alpha1.Adjustments{},
			[]string{"example-java-app-cassandra", "example-java-app-mongo", "example-java-app-redis", "kube-dns"}},
		{"replace with the allowed CIDR alone: cassandra back", v1alpha1.AdjustmentsReplace, allowOnly,
			[]string{"example-java-app-cassandra", "example-java-app-mongo", "203.0.113.7/32", "example-java-app-redis", "kube-dns"}},
		{"replace with the stored decisions themselves", v1alpha1.AdjustmentsReplace,
			v1alpha1.Adjustments{Allow: allowOnly.Allow, Exclude: []v1alpha1.Exclusion{cassandra}},
			[]string{"example-java-app-mongo", "203.0.113.7/32", "example-java-app-redis", "kube-dns"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, errOut := review(t, cp, tt.mode, tt.adj)
			if errOut != "" {
				t.Fatalf("review: %s", errOut)
			}
			if diff := cmp.Diff(tt.want, egressPeers(got)); diff != "" {
				t.Errorf("egress peers (-want +got):\n%s", diff)
			}
		})
	}
	if _, errOut := review(t, cp, "Merge", v1alpha1.Adjustments{}); !strings.Contains(errOut, `spec.mode "Merge": want Add`) {
		t.Errorf("a review of mode Merge: kubectl said %q, want a BadRequest naming the modes", errOut)
	}
}
