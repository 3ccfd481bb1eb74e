package chart

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// The prometheus-operator CRDs, for the ServiceMonitor and PrometheusRule:
// from the operator's Go module (the module proxy), not a URL.
const operatorModule = "github.com/prometheus-operator/prometheus-operator@v0.85.0"

func operatorCRDs(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "mod", "download", "-json", operatorModule).Output()
	if err != nil {
		testutil.SkipOrFail(t, "download "+operatorModule+" for its CRDs: "+err.Error())
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download %s: no Dir in %s", operatorModule, out)
	}
	dir := filepath.Join(mod.Dir, "example", "prometheus-operator-crd")
	return []string{filepath.Join(dir, "monitoring.coreos.com_servicemonitors.yaml"), filepath.Join(dir, "monitoring.coreos.com_prometheusrules.yaml")}
}

// TestChartAcceptedByAPIServer: every object of both value sets passes a
// server-side dry run on a real kube-apiserver (schema, defaulting,
// validation, RBAC escalation checks), with the operator's CRDs installed.
func TestChartAcceptedByAPIServer(t *testing.T) {
	h := testutil.NewHelm(t)
	crds := operatorCRDs(t)
	cp := testutil.StartControlPlane(t, func(env *envtest.Environment) { env.CRDInstallOptions.Paths = crds })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			manifests := mustRender(t, h, vs)
			if _, errOut, err := cp.Kubectl(ctx, nil, "create", "namespace", vs.namespace); err != nil {
				t.Fatalf("create namespace %s: %v\n%s", vs.namespace, err, errOut)
			}
			out, errOut, err := cp.Kubectl(ctx, []byte(manifests), "apply", "--dry-run=server", "-f", "-")
			if err != nil {
				t.Fatalf("kubectl apply --dry-run=server refused the %s manifests: %v\n%s", vs.name, err, errOut)
			}
			kinds := strings.Count(manifests, "\nkind: ")
			if got := strings.Count(out, "(server dry run)"); got != kinds {
				t.Fatalf("dry run accepted %d objects, the chart renders %d:\n%s", got, kinds, out)
			}
			t.Logf("%s: %d objects accepted", vs.name, kinds)
		})
	}
}
