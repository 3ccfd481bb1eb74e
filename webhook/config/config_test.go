package config

import (
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite webhooks.yaml")

// webhooks.yaml is what the Helm chart installs; it must stay equal to the
// Go objects the server patches.
func TestWebhooksYAMLIsCurrent(t *testing.T) {
	var out []byte
	for _, obj := range []any{Mutating(Options{}), Validating(Options{})} {
		b, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, "---\n"...), b...)
	}
	if *update {
		if err := os.WriteFile("webhooks.yaml", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("webhooks.yaml")
	if err != nil {
		t.Fatalf("read webhooks.yaml (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(out)); diff != "" {
		t.Errorf("webhooks.yaml differs from the Go objects (-file +objects; run with -update):\n%s", diff)
	}
}

// The product's rules for its webhooks (STYLE.md, the issue).
func TestWebhooksFailOpenFastAndSkipOwnNamespace(t *testing.T) {
	m, v := Mutating(Options{Namespace: "np"}).Webhooks[0], Validating(Options{Namespace: "np"}).Webhooks[0]
	type props struct {
		Failure, Side string
		Timeout       int32
		Versions      []string
		Excluded      []string
	}
	want := props{"Ignore", "None", 3, []string{"v1"}, []string{"np"}}
	for name, got := range map[string]props{
		"mutating":   {string(*m.FailurePolicy), string(*m.SideEffects), *m.TimeoutSeconds, m.AdmissionReviewVersions, m.NamespaceSelector.MatchExpressions[0].Values},
		"validating": {string(*v.FailurePolicy), string(*v.SideEffects), *v.TimeoutSeconds, v.AdmissionReviewVersions, v.NamespaceSelector.MatchExpressions[0].Values},
	} {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s webhook (-want +got):\n%s", name, diff)
		}
	}
}
