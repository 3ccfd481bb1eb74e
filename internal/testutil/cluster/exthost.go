package cluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// ExtHost runs hack/cluster/ext-host.sh: "add NAME IP/PREFIX" makes an
// "external" test host (a network namespace on the cluster bridge, e.g.
// 203.0.113.7/28), "exec NAME CMD..." runs a command in it, "del NAME"
// removes it (down.sh removes all of them).
func (c *Cluster) ExtHost(ctx context.Context, args ...string) (string, error) {
	cmd := c.extHostCmd(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("ext-host.sh %s: %w", strings.Join(args, " "), err)
	}
	return out.String(), nil
}

// ServeOnExtHost starts a long-running command (a server) in the external
// host name and stops it when the test ends. Its output goes to the test log
// when the test fails.
func (c *Cluster) ServeOnExtHost(t testing.TB, name string, command ...string) {
	t.Helper()
	cmd := c.extHostCmd(context.Background(), append([]string{"exec", name}, command...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v on %s: %v", command, name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s on %s said:\n%s", strings.Join(command, " "), name, out.String())
		}
	})
}

// NetcheckBinary is the host-side netcheck built by make cluster-build, for
// running in external hosts.
func (c *Cluster) NetcheckBinary() string {
	if dir := os.Getenv("NETPOL_ADVISOR_CLUSTER_IMAGES"); dir != "" {
		return filepath.Join(dir, "bin", "netcheck")
	}
	return filepath.Join(c.scripts, "..", "..", "bin", "cluster-images", "bin", "netcheck")
}

func (c *Cluster) extHostCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.scripts, "ext-host.sh"), args...)
	cmd.Env = append(os.Environ(), "NETPOL_ADVISOR_CLUSTER_LOCKED=1") // the test holds the lock
	return cmd
}
