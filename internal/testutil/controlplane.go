package testutil

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/netpol-advisor/netpol-advisor/internal/demo"
)

// defaultAssets is where `make controlplane` puts kube-apiserver and etcd;
// keep it in step with K8S_BIN in the Makefile. KUBEBUILDER_ASSETS, which the
// Makefile exports, wins over it.
const defaultAssets = ".cache/netpol-advisor/k8s-v1.37.2-etcd-v3.6.16"

// ControlPlane is a real kube-apiserver and etcd started by envtest.
type ControlPlane struct {
	Env *envtest.Environment
	// Config is an admin (system:masters) client configuration.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for the same admin user,
	// usable by the real kubectl.
	Kubeconfig string
}

// StartControlPlane starts kube-apiserver and etcd for the test and stops them
// in t.Cleanup. Options may adjust the environment before it starts, for
// example to install webhook configurations.
func StartControlPlane(t testing.TB, opts ...func(*envtest.Environment)) *ControlPlane {
	t.Helper()
	assets := assetsDir()
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(assets, bin)); err != nil {
			SkipOrFail(t, "no "+bin+" in "+assets+": run `make controlplane` (or `make test`) first")
		}
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory:    assets,
		ControlPlaneStartTimeout: time.Minute,
		ControlPlaneStopTimeout:  time.Minute,
	}
	for _, o := range opts {
		o(env)
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start kube-apiserver and etcd from %s: %v", assets, err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, env.KubeConfig, 0o600); err != nil {
		t.Fatalf("write kubeconfig: %v", err)
	}
	return &ControlPlane{Env: env, Config: cfg, Kubeconfig: kubeconfig}
}

func assetsDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return defaultAssets
	}
	return filepath.Join(home, defaultAssets)
}

// Kubectl runs the real kubectl against the control plane and returns its
// standard output and standard error.
func (cp *ControlPlane) Kubectl(ctx context.Context, stdin []byte, args ...string) (stdout, stderr string, err error) {
	cmd := KubectlCommand(ctx, append([]string{"--kubeconfig", cp.Kubeconfig}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// Warnings are the admission warnings kubectl printed on standard error
// ("Warning: ..." lines), without the prefix.
func Warnings(stderr string) []string { return demo.Warnings(stderr) }

// WithAPIServerFlag is a StartControlPlane option that sets a
// kube-apiserver flag, for example admission-control-config-file, on top
// of envtest's defaults.
func WithAPIServerFlag(name, value string) func(*envtest.Environment) {
	return func(env *envtest.Environment) {
		env.ControlPlane.GetAPIServer().Configure().Set(name, value)
	}
}

// KubectlCommand is the real kubectl with args, for tests that run it as
// another user (their own --kubeconfig). A machine without kubectl fails
// the command when it runs.
func KubectlCommand(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "kubectl", args...)
}
