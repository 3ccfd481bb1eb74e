package webhook

import (
	"os/exec"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// --annotate-namespace-selector narrows the mutating webhook twice over:
// in its configuration (the API server does not call it for other
// namespaces) and in the handler (it does not annotate there when called).
// Each half is tested with the other one open.
func TestAnnotateNamespaceSelector(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"team": "books"}}
	for _, tt := range []struct {
		name    string
		server  Options
		install config.Options
	}{
		{"in the webhook configuration", Options{NoAnnotator: true}, config.Options{AnnotateNamespaces: sel}},
		{"in the handler", Options{NoAnnotator: true, AnnotateNamespaces: sel}, config.Options{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startSuiteWith(t, tt.server, tt.install)
			k := kubectl{t: t, cp: s.cp}
			k.run([]byte(namespacesYAML), "apply", "-f", "-")
			for _, ns := range []string{"ledger", "games"} {
				dep := strings.ReplaceAll(string(mustRead(t, "testdata/story/javaapp.yaml")), "namespace: example-java-app", "namespace: "+ns)
				k.run([]byte(dep), "apply", "-f", "-")
			}
			for ns, want := range map[string]bool{"ledger": true, "games": false} {
				out, _ := k.run(nil, "get", "deployment", "-n", ns, "-o", "jsonpath={.items[0].metadata.annotations}")
				if got := strings.Contains(out, advice.StatusAnnotation); got != want {
					t.Errorf("deployment in %s annotated = %v, want %v: %s", ns, got, want, out)
				}
			}
		})
	}
}

const namespacesYAML = `apiVersion: v1
kind: Namespace
metadata: {name: ledger, labels: {team: books}}
---
apiVersion: v1
kind: Namespace
metadata: {name: games}
`
