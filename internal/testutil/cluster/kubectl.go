package cluster

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Kubectl runs the real kubectl against the cluster and returns its output.
func (c *Cluster) Kubectl(ctx context.Context, args ...string) (string, error) {
	return c.kubectl(ctx, "", args...)
}

// Apply applies a YAML document with kubectl apply -f -.
func (c *Cluster) Apply(ctx context.Context, manifest string) error {
	out, err := c.kubectl(ctx, manifest, "apply", "-f", "-")
	if err != nil {
		return fmt.Errorf("apply: %w: %s", err, out)
	}
	return nil
}

// Exec runs a command in a pod's first container (kubectl exec) and returns
// its combined output; the error says whether the command failed.
func (c *Cluster) Exec(ctx context.Context, namespace, pod string, command ...string) (string, error) {
	args := append([]string{"-n", namespace, "exec", pod, "--"}, command...)
	return c.kubectl(ctx, "", args...)
}

func (c *Cluster) kubectl(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("kubectl %s: %w", strings.Join(args, " "), err)
	}
	return out.String(), nil
}

// Eventually retries check every interval until it returns nil or timeout
// passes, then fails the test with the last error. Policies and endpoints
// take effect asynchronously (kube-router, kube-proxy), hence the retries.
func Eventually(t testing.TB, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s: %v", what, timeout, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
