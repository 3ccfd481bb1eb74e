package chart

import (
	"context"
	"flag"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// valueSet is one way of installing the chart.
type valueSet struct {
	name, release, namespace string
	args                     []string // e.g. -f testdata/values-custom.yaml
}

var valueSets = []valueSet{
	{name: "default", release: "netpol-advisor", namespace: "netpol-advisor"},
	{name: "custom", release: "np-prod", namespace: "security-tools", args: []string{"-f", "testdata/values-custom.yaml"}},
}

func chartDir(t testing.TB) string {
	t.Helper()
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "charts", "netpol-advisor")
}

// render runs helm template and returns the manifests, or helm's error.
func render(t testing.TB, h *testutil.Helm, release, namespace string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return h.Run(ctx, append([]string{"template", release, chartDir(t), "--namespace", namespace}, args...)...)
}

func mustRender(t testing.TB, h *testutil.Helm, vs valueSet) string {
	t.Helper()
	out, errOut, err := render(t, h, vs.release, vs.namespace, vs.args...)
	if err != nil {
		t.Fatalf("helm template (%s): %v\n%s", vs.name, err, errOut)
	}
	return out
}

// The ingest CA and certificate are made by helm at render time (genCA),
// new on every helm template; the golden files hold a placeholder.
var (
	generatedB64 = regexp.MustCompile(`(?m)^(\s+(?:ca\.crt|tls\.crt|tls\.key|caBundle): )[A-Za-z0-9+/=]{64,}$`)
	generatedPEM = regexp.MustCompile(`(?ms)^(\s+)-----BEGIN CERTIFICATE-----$.*?^\s+-----END CERTIFICATE-----$`)
)

func maskGenerated(s string) string {
	s = generatedB64.ReplaceAllString(s, "${1}GENERATED")
	return generatedPEM.ReplaceAllString(s, "${1}GENERATED-PEM")
}
