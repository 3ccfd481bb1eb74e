package config

import (
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
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

// The mutating webhook covers every workload kind and, with
// AnnotateNamespaces, only the selected namespaces (the product's own
// still excluded); the validating webhook is not narrowed.
func TestMutatingCoversWorkloadsInSelectedNamespaces(t *testing.T) {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"},
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "env", Operator: metav1.LabelSelectorOpIn, Values: []string{"prod"}}}}
	m := Mutating(Options{Namespace: "np", AnnotateNamespaces: sel}).Webhooks[0]
	want := &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}, MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"np"}},
		{Key: "env", Operator: metav1.LabelSelectorOpIn, Values: []string{"prod"}}}}
	if diff := cmp.Diff(want, m.NamespaceSelector); diff != "" {
		t.Errorf("namespaceSelector (-want +got):\n%s", diff)
	}
	if len(sel.MatchExpressions) != 1 {
		t.Errorf("the caller's selector was changed: %+v", sel)
	}
	if v := Validating(Options{Namespace: "np", AnnotateNamespaces: sel}).Webhooks[0]; len(v.NamespaceSelector.MatchExpressions) != 1 || v.NamespaceSelector.MatchLabels != nil {
		t.Errorf("validating webhook narrowed: %+v", v.NamespaceSelector)
	}
	var got []string
	for _, r := range m.Rules {
		for _, res := range r.Resources {
			got = append(got, r.APIGroups[0]+"/"+res)
		}
	}
	var wantRes []string
	for _, k := range workloads.All {
		wantRes = append(wantRes, k.GVK.Group+"/"+k.Resource)
	}
	if diff := cmp.Diff(wantRes, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}
