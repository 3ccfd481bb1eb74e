package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/demo"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

const (
	chartNS      = "netpol-advisor"
	chartRelease = "netpol-advisor"
)

// TestChartOnCluster is issue 12's acceptance on the real cluster: the
// chart installed by helm exactly as a user would (its own NetworkPolicies
// on, images imported into containerd), observers loading their eBPF
// programs, the server Ready; real pods' traffic becomes a baseline; the
// installed webhook prints kubectl's Warning: for a policy that cuts it and
// annotates Deployments; killing the server loses no acknowledged flow;
// helm upgrade keeps the baseline; helm uninstall leaves no webhook
// configuration, ClusterRole or BPF program behind.
func TestChartOnCluster(t *testing.T) {
	h := testutil.NewHelm(t)
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cgroup2, err := cgroups.V2Mount()
	if err != nil {
		testutil.SkipOrFail(t, "the observer needs the host's cgroup2 mount: "+err.Error())
	}
	began := time.Now()
	c := Start(t)
	t.Logf("cluster up in %s", c.UpTime.Round(time.Millisecond))
	h.Kubeconfig = c.Kubeconfig
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	r := &chartRun{t: t, c: c, h: h, ctx: ctx, chart: filepath.Join(root, "charts", "netpol-advisor"), cgroup2: cgroup2}
	t.Cleanup(func() {
		if t.Failed() {
			r.dumpProduct()
		}
	})

	r.step("helm install (server Ready, observers running)", func() {
		r.makeVolume()
		r.helm("install", chartRelease, r.chart, "--namespace", chartNS, "--create-namespace", "--wait", "--timeout", "5m",
			"-f", "testdata/chart-values.yaml",
			"--set", "observer.hostCgroupRoot="+cgroup2, "--set", "observer.hostDataDir="+filepath.Join(c.Dir, "observer-outbox"))
	})
	r.step("observers load their eBPF programs", r.checkObserverHooks)
	bpf := r.observerBPF()
	r.step("workload traffic becomes a baseline", func() {
		deployWorkload(ctx, t, c)
		r.apply("chart-reader.yaml")
		r.traffic(3)
		r.waitCount(3)
	})
	r.step("kubectl get baselines through the chart's APIService", r.checkAggregatedAPI)
	r.step("new Deployments are annotated at creation (learning; re-created: its policy)", r.checkAnnotations)
	r.step("the product's NetworkPolicy keeps other pods off the webhook port", r.checkWebhookPortClosed)
	r.step("killing the server loses no acknowledged flow", r.killServer)
	r.step("helm upgrade to changed values keeps the baseline", r.upgrade)
	r.step("kubectl apply prints the Warning through the installed webhook", r.checkWarning)
	r.checkNoForbidden()
	r.measureResources()
	r.step("helm uninstall leaves nothing behind", func() { r.uninstall(bpf) })
	t.Logf("TestChartOnCluster: %s in all (cluster up %s)", time.Since(began).Round(time.Second), c.UpTime.Round(time.Second))
}

// chartRun is one install's state, shared by the steps.
type chartRun struct {
	t     *testing.T
	c     *Cluster
	h     *testutil.Helm
	ctx   context.Context
	chart string
	// cgroup2 is the host's cgroup2 mount, the observers' hostCgroupRoot.
	cgroup2 string
	// count is client -> server connections in the server's baseline.
	count uint64
}

// step runs one part of the scenario and logs how long it took.
func (r *chartRun) step(name string, fn func()) {
	r.t.Helper()
	start := time.Now()
	fn()
	r.t.Logf("%-75s %6.1fs", name, time.Since(start).Seconds())
}

func (r *chartRun) helm(args ...string) string {
	r.t.Helper()
	out, errOut, err := r.h.Run(r.ctx, args...)
	if err != nil {
		r.t.Fatalf("helm %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func (r *chartRun) kubectl(args ...string) string {
	r.t.Helper()
	out, err := r.c.Kubectl(r.ctx, args...)
	if err != nil {
		r.t.Fatalf("%v\n%s", err, out)
	}
	return out
}

func (r *chartRun) apply(file string) {
	r.t.Helper()
	applyFile(r.ctx, r.t, r.c, file)
}

// makeVolume is what a cluster's storage provisioner would do: a volume of
// the class the values name, on the node, writable by the server's user.
func (r *chartRun) makeVolume() {
	r.t.Helper()
	dir := filepath.Join(r.c.Dir, "volumes", "server")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Chown(dir, 65532, 65532); err != nil {
		r.t.Fatal(err)
	}
	if err := r.c.Apply(r.ctx, demo.VolumeManifest("netpol-advisor-test-server", "netpol-advisor-test", dir)); err != nil {
		r.t.Fatal(err)
	}
}
