package demo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// output is what a command printed.
type output struct {
	stdout, stderr string
}

// run runs a program and returns what it printed; the error carries its
// standard error so the user sees why.
func run(ctx context.Context, env []string, stdin string, name string, args ...string) (output, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = 5 * time.Second // scripts leave components running
	err := cmd.Run()
	o := output{stdout: out.String(), stderr: errOut.String()}
	if err != nil {
		return o, fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, o.stderr, tail(o.stdout, 20))
	}
	return o, nil
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// lockedEnv tells hack/cluster that the demo (or the test) holds the
// cluster lock.
var lockedEnv = []string{"NETPOL_ADVISOR_CLUSTER_LOCKED=1"}

func (d *Demo) kubectl(ctx context.Context, args ...string) (output, error) {
	return d.kubectlIn(ctx, "", args...)
}

func (d *Demo) kubectlIn(ctx context.Context, stdin string, args ...string) (output, error) {
	return run(ctx, nil, stdin, "kubectl", append([]string{"--kubeconfig", d.cfg.Kubeconfig()}, args...)...)
}

// cli runs the netpol-advisor CLI as the cluster's admin.
func (d *Demo) cli(ctx context.Context, args ...string) (output, error) {
	return run(ctx, nil, "", d.cfg.CLI, append([]string{"--kubeconfig", d.cfg.Kubeconfig()}, args...)...)
}

// helm runs helm with its caches in the demo's folder.
func (d *Demo) helm(ctx context.Context, args ...string) (output, error) {
	home := d.cfg.OutDir + "/helm"
	env := []string{"HELM_CACHE_HOME=" + home + "/cache", "HELM_CONFIG_HOME=" + home + "/config", "HELM_DATA_HOME=" + home + "/data"}
	return run(ctx, env, "", d.cfg.Helm, append([]string{"--kubeconfig", d.cfg.Kubeconfig()}, args...)...)
}

// script runs one of hack/cluster's scripts.
func (d *Demo) script(ctx context.Context, name string, args ...string) (output, error) {
	return run(ctx, lockedEnv, "", d.cfg.Scripts()+"/"+name, args...)
}

// waitFor calls check every interval until it returns nil, for at most
// d.cfg.Wait; it then returns the last error, saying what it waited for.
func (d *Demo) waitFor(ctx context.Context, what string, check func() error) error {
	deadline := time.Now().Add(d.cfg.Wait)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not after %s: %w", what, d.cfg.Wait, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}
