package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestClusterAcceptance is issue 7's acceptance: cluster up; a client pod
// resolves a 2-replica Service through CoreDNS and reaches it over TCP and
// UDP; a default-deny NetworkPolicy (enforced by kube-router) breaks that, an
// allow policy restores it; the client reaches an "external" test host;
// nothing leaks out of the cluster ranges; cluster
// down leaves the host exactly as it was.
func TestClusterAcceptance(t *testing.T) {
	c := Start(t)
	t.Logf("cluster up in %s (run folder %s)", c.UpTime.Round(time.Millisecond), c.Dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	deployWorkload(ctx, t, c)
	Eventually(t, time.Minute, "client reaches the server by name over TCP and UDP", func() error { return reach(ctx, c) })
	applyFile(ctx, t, c, "deny.yaml")
	Eventually(t, time.Minute, "default deny blocks TCP and UDP", func() error { return blocked(ctx, c) })
	applyFile(ctx, t, c, "allow.yaml")
	Eventually(t, time.Minute, "the allow policy lets the client in again", func() error { return reach(ctx, c) })
	checkBridgeRoutesOwnRangesOnly(ctx, t)
	checkExternalHost(ctx, t, c)
	checkProductImages(ctx, t, c)
	checkNoLeak(ctx, t, c)
	logMemory(t)

	start := time.Now()
	if err := c.Down(); err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster down in %s", time.Since(start).Round(time.Millisecond))
	after, err := TakeSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Before, after); diff != "" {
		t.Errorf("host state after cluster down differs from before up (-before +after):\n%s", diff)
	}
}

func applyFile(ctx context.Context, t *testing.T, c *Cluster, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, string(data)); err != nil {
		t.Fatal(err)
	}
}

func deployWorkload(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	applyFile(ctx, t, c, "workload.yaml")
	for _, args := range [][]string{
		{"-n", "e2e", "rollout", "status", "deployment/server", "--timeout", "3m"},
		{"-n", "e2e", "wait", "--for", "condition=Ready", "pod/client", "--timeout", "3m"},
	} {
		if out, err := c.Kubectl(ctx, args...); err != nil {
			t.Fatalf("%v\n%s\n%s", err, out, c.logTails())
		}
	}
}

// checkProductImages runs the product's binaries from the images imported
// into containerd and checks what they print.
func checkProductImages(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	applyFile(ctx, t, c, "product.yaml")
	want := map[string]string{"server": "--webhook-port", "observer": "modes:"}
	for pod, text := range want {
		if out, err := c.Kubectl(ctx, "-n", "e2e-images", "wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/"+pod, "--timeout", "2m"); err != nil {
			t.Fatalf("pod %s from the product image did not succeed: %v\n%s\n%s", pod, err, out, c.logTails())
		}
		logs, err := c.Kubectl(ctx, "-n", "e2e-images", "logs", pod)
		if err != nil || !strings.Contains(logs, text) {
			t.Fatalf("logs of %s = %q (err %v), want them to contain %q", pod, logs, err, text)
		}
	}
}

// logMemory reports what the whole cluster (components, shims, pods) uses,
// from the memory cgroup all of it runs in.
func logMemory(t *testing.T) {
	dir := "/sys/fs/cgroup/memory/netpol-advisor-cluster/"
	for _, f := range []string{"memory.usage_in_bytes", "memory.max_usage_in_bytes"} {
		if data, err := os.ReadFile(dir + f); err == nil {
			t.Logf("cluster %s: %s MiB", f, mib(strings.TrimSpace(string(data))))
		}
	}
}
