package demo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// deploy starts the app's external hosts, then applies its manifests one
// file at a time in name order, each file's workloads available before the
// next (servers before their clients: a client's first datagrams to a
// Service whose endpoints do not exist yet would be traffic to nowhere).
func (d *Demo) deploy(ctx context.Context, s *Story, _ *Result) error {
	for _, h := range s.ExternalHosts {
		if err := d.startExternalHost(ctx, h); err != nil {
			return err
		}
	}
	files, err := filepath.Glob(filepath.Join(s.Dir, "manifests", "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no manifests in %s: %v", filepath.Join(s.Dir, "manifests"), err)
	}
	d.onClose(func(ctx context.Context) error { return d.removeApp(ctx, s) })
	for _, f := range files { // Glob sorts
		d.p.command("kubectl apply -f " + d.rel(f))
		out, err := d.kubectl(ctx, "apply", "-f", f)
		if err != nil {
			return fmt.Errorf("deploy the app: %w", err)
		}
		d.p.block(out.stdout)
		if err := d.waitAvailable(ctx, s.Namespace); err != nil {
			return err
		}
	}
	d.p.good("the app's workloads are running")
	return nil
}

// waitAvailable waits for every Deployment and StatefulSet of namespace.
func (d *Demo) waitAvailable(ctx context.Context, namespace string) error {
	timeout := "--timeout=" + d.cfg.Wait.String()
	if _, err := d.kubectl(ctx, "-n", namespace, "wait", "deployment", "--all", "--for=condition=Available", timeout); err != nil &&
		!strings.Contains(err.Error(), "no matching resources") {
		return fmt.Errorf("the app's Deployments never became available: %w", err)
	}
	sts, err := d.kubectl(ctx, "-n", namespace, "get", "statefulsets", "-o", "name")
	if err != nil {
		return err
	}
	for _, name := range strings.Fields(sts.stdout) {
		if _, err := d.kubectl(ctx, "-n", namespace, "rollout", "status", name, timeout); err != nil {
			return fmt.Errorf("%s never became ready: %w", name, err)
		}
	}
	return nil
}

// startExternalHost makes a network namespace on the cluster bridge at the
// host's address and runs netcheck there, serving the host's ports.
func (d *Demo) startExternalHost(ctx context.Context, h ExternalHost) error {
	if _, err := d.script(ctx, "ext-host.sh", "add", h.Name, h.Address+"/28"); err != nil {
		return fmt.Errorf("make the external host %s: %w", h.Name, err)
	}
	args := []string{"exec", h.Name, d.cfg.Netcheck, "app"}
	for _, port := range h.Serve {
		proto, p, _ := strings.Cut(port, ":")
		args = append(args, "-listen", proto+"::"+p)
	}
	cmd := exec.Command(filepath.Join(d.cfg.Scripts(), "ext-host.sh"), args...)
	cmd.Env = append(os.Environ(), lockedEnv...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("serve on the external host %s: %w", h.Name, err)
	}
	d.onClose(func(ctx context.Context) error {
		if d.cfg.Keep { // it runs in the cluster's cgroup: make cluster-down stops it
			return cmd.Process.Release()
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		_, err := d.script(ctx, "ext-host.sh", "del", h.Name)
		return err
	})
	d.p.good("external host %s at %s serves %s (a network namespace on the cluster bridge)", h.Name, h.Address, strings.Join(h.Serve, ", "))
	return nil
}

// removeApp deletes the app's namespace when the cluster outlives the demo
// (a test's cluster); down.sh removes the demo's own cluster whole.
func (d *Demo) removeApp(ctx context.Context, s *Story) error {
	if !d.cfg.ClusterRunning || d.cfg.Keep {
		return nil
	}
	_, err := d.kubectl(ctx, "delete", "-f", filepath.Join(s.Dir, "manifests"), "--ignore-not-found", "--wait", "--timeout=2m")
	return err
}

// rel is path relative to the module root, for printing.
func (d *Demo) rel(path string) string {
	if r, err := filepath.Rel(d.cfg.Root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
