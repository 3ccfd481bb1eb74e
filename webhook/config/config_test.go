package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
