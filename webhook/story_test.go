package webhook

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

const storyNS = "example-java-app"

// TestStoryThroughKubectl is the acceptance, against the real
// kube-apiserver and the real kubectl, with the DESIGN.md story in a real
// baseline store.
func TestStoryThroughKubectl(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	s := startSuite(t, Options{Annotator: annotatorQuiet})
	s.applyBatch(t, "story/baseline.yaml")
	k := kubectl{t: t, cp: s.cp}
	k.run(nil, "apply", "-f", "testdata/story/cluster.yaml")
	s.waitForCache(t, 5)

	k.run(nil, "apply", "-f", "testdata/story/javaapp.yaml")
	if rec := s.recommendation(t); len(rec.Spec.Egress) == 0 {
		t.Errorf("recommendation before adjustments has no egress rule: %+v", rec.Spec)
	}

	var dryRun []string
	t.Run("dry-run warns and creates nothing", func(t *testing.T) {
		_, stderr := k.run(nil, "apply", "--dry-run=server", "-f", "testdata/story/handwritten.yaml")
		assertStoryWarnings(t, stderr)
		dryRun = warnings(stderr)
		if _, _, err := s.cp.Kubectl(context.Background(), nil, "get", "networkpolicy", "-n", storyNS, "javaapp"); err == nil {
			t.Error("dry-run created the policy")
		}
	})
	t.Run("an enforcing namespace denies", func(t *testing.T) { s.checkEnforce(t, k) })
	t.Run("apply warns and creates the policy", func(t *testing.T) {
		_, stderr := k.run(nil, "apply", "-f", "testdata/story/handwritten.yaml")
		assertStoryWarnings(t, stderr)
		if diff := cmp.Diff(dryRun, warnings(stderr)); diff != "" {
			t.Errorf("apply and --dry-run=server warn differently (-dry-run +apply):\n%s", diff)
		}
		k.run(nil, "get", "networkpolicy", "-n", storyNS, "javaapp")
	})
	t.Run("the recommended policy with the adjustments gives no warning", func(t *testing.T) {
		adj := strings.TrimSpace(string(mustRead(t, "testdata/story/adjustments.yaml")))
		k.run(nil, "annotate", "deployment", "-n", storyNS, "example-java-app-javaapp", adjust.Annotation+"="+adj)
		rec := s.recommendation(t)
		want := readPolicyFile(t, "../internal/policy/testdata/story/recommended.golden.yaml")
		if diff := cmp.Diff(want, rec); diff != "" {
			t.Errorf("annotation policy differs from the story's recommendation (-want +got):\n%s", diff)
		}
		out, err := yaml.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		_, stderr := k.run(out, "apply", "-f", "-")
		if strings.Contains(stderr, "Warning:") {
			t.Errorf("applying the recommendation warned:\n%s", stderr)
		}
	})
	t.Run("server stopped: apply fails open", func(t *testing.T) { s.checkFailOpen(t, k) })
	t.Run("server hung: apply fails open after the timeout", func(t *testing.T) { s.checkHungServer(t, k) })
}

var annotatorQuiet = annotatorOptions(time.Hour)

func assertStoryWarnings(t *testing.T, stderr string) {
	t.Helper()
	lines := warnings(stderr)
	for _, want := range []string{"DNS", "203.0.113.7", "cassandra"} {
		found := false
		for _, l := range lines {
			found = found || strings.Contains(l, want)
		}
		if !found {
			t.Errorf("no warning names %q; warnings:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if len(lines) != 3 {
		t.Errorf("got %d warning lines, want 3 (DNS, external, cassandra):\n%s", len(lines), stderr)
	}
}

// warnings are kubectl's admission warnings.
func warnings(stderr string) []string { return testutil.Warnings(stderr) }

// recommendation waits for javaapp's annotations and returns the policy.
func (s *suite) recommendation(t *testing.T) networkingv1.NetworkPolicy {
	t.Helper()
	var dep appsv1.Deployment
	key := client.ObjectKey{Namespace: storyNS, Name: "example-java-app-javaapp"}
	if err := s.mgr.GetAPIReader().Get(context.Background(), key, &dep); err != nil {
		t.Fatalf("get javaapp: %v", err)
	}
	st, err := advice.ParseStatus(dep.Annotations[advice.StatusAnnotation])
	if err != nil || st.State != advice.Ready || st.Flows != 6 {
		t.Fatalf("status annotation = %q (%v), want ready with 6 flows", dep.Annotations[advice.StatusAnnotation], err)
	}
	var np networkingv1.NetworkPolicy
	if err := yaml.UnmarshalStrict([]byte(dep.Annotations[advice.PolicyAnnotation]), &np); err != nil {
		t.Fatalf("decode policy annotation: %v", err)
	}
	return np
}

// waitForCache waits until the manager's cache holds n Deployments and
// StatefulSets of the story.
func (s *suite) waitForCache(t *testing.T, n int) {
	t.Helper()
	waitFor(t, 10*time.Second, "the cache to see the story's workloads", func() bool {
		var deps appsv1.DeploymentList
		var sts appsv1.StatefulSetList
		ctx := context.Background()
		if s.mgr.GetClient().List(ctx, &deps) != nil || s.mgr.GetClient().List(ctx, &sts) != nil {
			return false
		}
		return len(deps.Items)+len(sts.Items) >= n
	})
	time.Sleep(100 * time.Millisecond) // let the shared snapshot expire
}

func readPolicyFile(t testing.TB, path string) networkingv1.NetworkPolicy {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	var np networkingv1.NetworkPolicy
	if err := yaml.UnmarshalStrict(data, &np); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return np
}

func javaappDeployment(t testing.TB) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict(mustRead(t, "testdata/story/javaapp.yaml"), &d); err != nil {
		t.Fatalf("decode javaapp.yaml: %v", err)
	}
	return &d
}
