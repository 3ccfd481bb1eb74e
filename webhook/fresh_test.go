package webhook

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// TestReviewsSeeWritesAtOnce: a NetworkPolicy review answered right after
// a write (no wait in between, the informers may not have the write yet)
// sees it: adjustments saved a moment ago are honoured, a policy deleted a
// moment ago is not in force, a removed enforce label no longer denies.
// Each write is toggled several times so that a lagging cache would be
// caught.
func TestReviewsSeeWritesAtOnce(t *testing.T) {
	// No annotator: controller names are process-wide and the story test has it.
	s := startSuite(t, Options{NoAnnotator: true})
	s.applyBatch(t, "story/baseline.yaml")
	k := kubectl{t: t, cp: s.cp}
	k.run(nil, "apply", "-f", "testdata/story/cluster.yaml")
	k.run(nil, "apply", "-f", "testdata/story/javaapp.yaml")
	s.waitForCache(t, 5)
	r := newReviewer(t, s)
	hand := readPolicyFile(t, "testdata/story/handwritten.yaml")
	fixed := readPolicyFile(t, "../internal/policy/testdata/story/recommended.golden.yaml")
	fixed.Name = "javaapp-fixed"
	const rounds = 5

	t.Run("a policy deleted a moment ago is not in force", func(t *testing.T) {
		for range rounds {
			r.create(t, fixed.DeepCopy())
			if got := r.dryRun(t, &hand); len(got.warnings) != 0 {
				t.Fatalf("with the fixed policy in force, warnings: %v", got.warnings)
			}
			r.delete(t, &fixed)
			if got := r.dryRun(t, &hand); len(got.warnings) != 3 {
				t.Fatalf("right after deleting the fixed policy, %d warnings, want 3: %v", len(got.warnings), got.warnings)
			}
		}
	})
	t.Run("adjustments saved a moment ago are honoured", func(t *testing.T) {
		adj := strings.TrimSpace(string(mustRead(t, "testdata/story/adjustments.yaml")))
		for range rounds {
			r.annotate(t, adj)
			// cassandra is excluded; the allowed external address is
			// still blocked by the hand-written policy, so still warned of.
			got := r.dryRun(t, &hand)
			if len(got.warnings) != 2 || strings.Contains(strings.Join(got.warnings, "\n"), "cassandra") {
				t.Fatalf("right after saving the adjustments, warnings = %q, want DNS and 203.0.113.7 only", got.warnings)
			}
			r.annotate(t, "")
			if got := r.dryRun(t, &hand); len(got.warnings) != 3 {
				t.Fatalf("right after removing the adjustments, %d warnings, want 3: %v", len(got.warnings), got.warnings)
			}
		}
	})
	t.Run("a removed enforce label no longer denies", func(t *testing.T) {
		for range rounds {
			r.label(t, "true")
			if got := r.dryRun(t, &hand); got.err == nil || !strings.Contains(got.err.Error(), "would be blocked") {
				t.Fatalf("right after labelling the namespace enforcing: err = %v", got.err)
			}
			r.label(t, "")
			if got := r.dryRun(t, &hand); got.err != nil || len(got.warnings) != 3 {
				t.Fatalf("right after removing the enforce label: err = %v, warnings %v", got.err, got.warnings)
			}
		}
	})
}

// reviewer writes and dry-runs through the real API server, collecting the
// admission warnings of each request.
type reviewer struct {
	c   client.Client
	ctx context.Context
	w   *warningSink
}

type warningSink struct {
	mu    sync.Mutex
	lines []string
}

func (w *warningSink) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	w.lines = append(w.lines, text)
	w.mu.Unlock()
}

func (w *warningSink) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.lines
	w.lines = nil
	return out
}

func newReviewer(t *testing.T, s *suite) *reviewer {
	t.Helper()
	cfg := rest.CopyConfig(s.cp.Config)
	w := &warningSink{}
	cfg.WarningHandler = w
	c, err := client.New(cfg, client.Options{Scheme: s.mgr.GetScheme()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &reviewer{c: c, ctx: ctx, w: w}
}

type review struct {
	warnings []string
	err      error
}

func (r *reviewer) dryRun(t *testing.T, np *networkingv1.NetworkPolicy) review {
	t.Helper()
	r.w.take()
	err := r.c.Create(r.ctx, np.DeepCopy(), client.DryRunAll)
	var out review
	for _, l := range r.w.take() {
		if strings.HasPrefix(l, "netpol-advisor") || strings.Contains(l, "is not allowed") {
			out.warnings = append(out.warnings, l)
		}
	}
	out.err = err
	return out
}

func (r *reviewer) create(t *testing.T, np *networkingv1.NetworkPolicy) {
	t.Helper()
	if err := r.c.Create(r.ctx, np); err != nil {
		t.Fatalf("create %s: %v", np.Name, err)
	}
	r.w.take()
}

func (r *reviewer) delete(t *testing.T, np *networkingv1.NetworkPolicy) {
	t.Helper()
	if err := r.c.Delete(r.ctx, np.DeepCopy()); err != nil {
		t.Fatalf("delete %s: %v", np.Name, err)
	}
	r.w.take()
}

// annotate sets (or, empty, removes) javaapp's adjustments.
func (r *reviewer) annotate(t *testing.T, adj string) {
	t.Helper()
	var v any = adj
	if adj == "" {
		v = nil
	}
	r.patch(t, javaappDeployment(t), map[string]any{"metadata": map[string]any{"annotations": map[string]any{adjust.Annotation: v}}})
}

// label sets (or, empty, removes) the enforce label of the namespace.
func (r *reviewer) label(t *testing.T, value string) {
	t.Helper()
	var v any = value
	if value == "" {
		v = nil
	}
	ns := &corev1.Namespace{}
	ns.Name = storyNS
	r.patch(t, ns, map[string]any{"metadata": map[string]any{"labels": map[string]any{advice.EnforceLabel: v}}})
}

func (r *reviewer) patch(t *testing.T, obj client.Object, patch map[string]any) {
	t.Helper()
	data, err := yaml.Marshal(patch)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.c.Patch(r.ctx, obj, client.RawPatch(client.Merge.Type(), js)); err != nil {
		t.Fatalf("patch %s: %v", obj.GetName(), err)
	}
	r.w.take()
}
