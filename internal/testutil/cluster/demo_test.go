package cluster

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/demo"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestDemoOnCluster is issue 16's acceptance: the steps of `make demo`
// (internal/demo, the very same code) for both apps of demo/apps on one
// real cluster with one helm install, each app then asserted against its
// story.yaml; afterwards nothing of the demo is left in the cluster, and
// cluster down leaves the machine as it was.
func TestDemoOnCluster(t *testing.T) {
	h := testutil.NewHelm(t)
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	prom, err := exec.LookPath("prometheus")
	if err != nil {
		testutil.SkipOrFail(t, "the prometheus server is not installed (Debian package prometheus; hack/install-deps.sh installs it)")
	}
	cgroup2, err := cgroups.V2Mount()
	if err != nil {
		testutil.SkipOrFail(t, "the observer needs the host's cgroup2 mount: "+err.Error())
	}
	cli := filepath.Join(t.TempDir(), "netpol-advisor")
	if out, err := exec.Command("go", "build", "-o", cli, filepath.Join(root, "cmd", "netpol-advisor")).CombinedOutput(); err != nil {
		t.Fatalf("build the CLI: %v\n%s", err, out)
	}
	began := time.Now()
	c := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	apps := []string{filepath.Join(root, "demo", "apps", "story"), filepath.Join(root, "demo", "apps", "ledger")}
	results, err := demo.Run(ctx, demo.Config{Root: root, Apps: apps, ClusterDir: c.Dir, ClusterRunning: true,
		CLI: cli, Helm: h.Bin, Prometheus: prom, Netcheck: c.NetcheckBinary(), CgroupRoot: cgroup2,
		OutDir: t.TempDir(), Wait: 3 * time.Minute, Out: testWriter{t}})
	if err != nil {
		t.Fatalf("the demo's steps: %v", err)
	}
	for i, r := range results {
		s, err := demo.LoadStory(apps[i])
		if err != nil {
			t.Fatal(err)
		}
		t.Run(r.App, func(t *testing.T) { checkResult(t, s, r) })
	}
	checkNothingLeft(ctx, t, c)
	if err := c.Down(); err != nil {
		t.Fatal(err)
	}
	after, err := TakeSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Before, after); diff != "" {
		t.Errorf("host state after the demo and cluster down differs from before (-before +after):\n%s", diff)
	}
	t.Logf("TestDemoOnCluster: %s in all (cluster up %s)", time.Since(began).Round(time.Second), c.UpTime.Round(time.Second))
}

// checkResult asserts what one app's run showed against its story.yaml.
func checkResult(t *testing.T, s *demo.Story, r *demo.Result) {
	for _, p := range s.Expect.Peers {
		if !slices.Contains(r.Peers, p) {
			t.Errorf("the baseline lacks %q; it holds:\n%s", p, strings.Join(r.Peers, "\n"))
		}
	}
	checkWarnings(t, s.Expect.Warnings, r.Warnings)
	for _, target := range s.Expect.Failing {
		if !strings.HasPrefix(r.Failing[target], "fail ") {
			t.Errorf("under the hand-written policy %s did not fail: %q", target, r.Failing[target])
		}
	}
	if len(r.FailedFlows) == 0 {
		t.Error("no failed connect recorded in the baseline under the hand-written policy")
	}
	if len(r.Mismatch) == 0 || len(r.FailedConnections) == 0 || !r.AlertFiring {
		t.Errorf("Prometheus: mismatch series %v, failed connections %v, alert firing %v; want all", r.Mismatch, r.FailedConnections, r.AlertFiring)
	}
	if len(r.FixWarnings) != 0 {
		t.Errorf("applying the recommended policy warned:\n%s", strings.Join(r.FixWarnings, "\n"))
	}
	for _, target := range s.Expect.Failing {
		want, got := "ok ", r.Working[target]
		if slices.Contains(s.Expect.StillFailing, target) {
			got = r.StillFailing[target]
			want = "fail "
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("after the fix %s: %q, want %q...", target, got, want)
		}
	}
	if !r.AlertResolved || !r.AnnotationEqual {
		t.Errorf("alert resolved %v, annotation equal to the applied policy %v; want both", r.AlertResolved, r.AnnotationEqual)
	}
}

// checkWarnings: exactly one Warning line per expected substring.
func checkWarnings(t *testing.T, want, got []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("kubectl printed %d Warning lines, want %d (%s):\n%s", len(got), len(want), strings.Join(want, "; "), strings.Join(got, "\n"))
	}
	for _, w := range want {
		n := 0
		for _, l := range got {
			if strings.Contains(l, w) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d Warning lines name %q, want 1:\n%s", n, w, strings.Join(got, "\n"))
		}
	}
}

// checkNothingLeft: the demo removed its apps, the release, its volume.
func checkNothingLeft(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	out, err := c.Kubectl(ctx, "get", "namespaces,pv,mutatingwebhookconfigurations,validatingwebhookconfigurations,apiservices", "-o", "name")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, l := range strings.Fields(out) {
		for _, left := range []string{"/example-java-app", "/ledger", "/netpol-advisor", "netpol-advisor.io"} {
			if strings.Contains(l, left) {
				t.Errorf("left in the cluster after the demo: %s", l)
			}
		}
	}
}

// testWriter sends the demo's output to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
