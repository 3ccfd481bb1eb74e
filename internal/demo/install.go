package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

const (
	release    = "netpol-advisor"
	productNS  = "netpol-advisor"
	volumeName = "netpol-advisor-demo-server"
)

// install does what a user of this cluster does: a volume for the
// server's baselines (the cluster has no provisioner), then helm install
// of charts/netpol-advisor with demo/values.yaml, waiting for the server,
// the observers and the aggregated API.
func (d *Demo) install(ctx context.Context) error {
	d.p.step("", "Installing netpol-advisor with helm (charts/netpol-advisor, demo/values.yaml)")
	start := time.Now()
	if err := d.makeVolume(ctx); err != nil {
		return err
	}
	d.onClose(d.uninstall)
	chart := filepath.Join(d.cfg.Root, "charts", "netpol-advisor")
	values := filepath.Join(d.cfg.Root, "demo", "values.yaml")
	d.p.command("helm install " + release + " charts/netpol-advisor -n " + productNS + " --create-namespace -f demo/values.yaml --wait")
	if _, err := d.helm(ctx, "install", release, chart, "--namespace", productNS, "--create-namespace",
		"--wait", "--timeout", "5m", "-f", values,
		"--set", "observer.hostCgroupRoot="+d.cfg.CgroupRoot,
		"--set", "observer.hostDataDir="+filepath.Join(d.cfg.ClusterDir, "observer-outbox")); err != nil {
		return fmt.Errorf("helm install: %w", err)
	}
	if _, err := d.kubectl(ctx, "wait", "--for=condition=Available", "apiservice/v1alpha1.netpol-advisor.io", "--timeout", "2m"); err != nil {
		return fmt.Errorf("the aggregated API never became available: %w", err)
	}
	d.p.good("server Ready, observers running, kubectl get baselines served (%s)", since(start))
	return nil
}

// makeVolume is what a storage provisioner would do: a hostPath volume
// writable by the server's user.
func (d *Demo) makeVolume(ctx context.Context) error {
	dir := filepath.Join(d.cfg.ClusterDir, "volumes", "demo-server")
	if err := os.RemoveAll(dir); err != nil { // a kept run's baselines
		return fmt.Errorf("remove an earlier demo's volume: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("make the server's volume: %w", err)
	}
	if err := os.Chown(dir, 65532, 65532); err != nil {
		return fmt.Errorf("make the server's volume: %w", err)
	}
	if _, err := d.kubectlIn(ctx, VolumeManifest(volumeName, "netpol-advisor-demo", dir), "apply", "-f", "-"); err != nil {
		return fmt.Errorf("create the server's volume: %w", err)
	}
	return nil
}

// uninstall removes the release, the claim it keeps on purpose and the
// volume, when the cluster outlives the demo (a test's cluster). With the
// demo's own cluster, down.sh removes everything at once.
func (d *Demo) uninstall(ctx context.Context) error {
	if !d.cfg.ClusterRunning || d.cfg.Keep {
		return nil
	}
	if _, err := d.helm(ctx, "uninstall", release, "--namespace", productNS, "--wait", "--timeout", "3m"); err != nil {
		return err
	}
	if _, err := d.kubectl(ctx, "delete", "namespace", productNS, "--wait", "--timeout", "2m"); err != nil {
		return err
	}
	if _, err := d.kubectl(ctx, "delete", "pv", volumeName, "--ignore-not-found", "--wait", "--timeout", "1m"); err != nil {
		return err
	}
	return os.RemoveAll(filepath.Join(d.cfg.ClusterDir, "volumes", "demo-server"))
}

// VolumeManifest is what a cluster's storage provisioner would make for the
// server's claim on a single-node cluster: a 1 GiB hostPath volume of the
// storage class the chart's values name, kept when released.
func VolumeManifest(name, storageClass, dir string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: %s}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: %s
  hostPath: {path: %s, type: Directory}
`, name, storageClass, dir)
}
