package testutil

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// defaultHelm is where `make helm` puts helm; keep it in step with HELM in
// make/helm.mk. NETPOL_ADVISOR_HELM, which the Makefile exports, wins.
const defaultHelm = ".cache/netpol-advisor/helm-v3.22.0/helm"

// Helm runs the helm binary `make helm` built, with its caches and
// configuration in a temporary HOME of the test's.
type Helm struct {
	Bin  string
	home string
	// Kubeconfig, when set, is passed to every command.
	Kubeconfig string
}

// NewHelm finds helm; without it the test skips, or fails in CI.
func NewHelm(t testing.TB) *Helm {
	t.Helper()
	path := os.Getenv("NETPOL_ADVISOR_HELM")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, defaultHelm)
	}
	if _, err := os.Stat(path); err != nil {
		SkipOrFail(t, "no helm at "+path+": run `make helm` (or `make test`) first")
	}
	return &Helm{Bin: path, home: t.TempDir()}
}

// Run runs helm with args and returns its standard output and error.
func (h *Helm) Run(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	if h.Kubeconfig != "" {
		args = append([]string{"--kubeconfig", h.Kubeconfig}, args...)
	}
	cmd := exec.CommandContext(ctx, h.Bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+h.home+"/cache", "HELM_CONFIG_HOME="+h.home+"/config", "HELM_DATA_HOME="+h.home+"/data")
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// ModuleRoot finds the module's root (the folder with go.mod and charts/)
// by walking up from the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "charts", "netpol-advisor", "Chart.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no charts/netpol-advisor/Chart.yaml above the working directory")
		}
		dir = parent
	}
}
