package ui_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/apiserver"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/aggregated"
	"github.com/netpol-advisor/netpol-advisor/internal/ui"
)

// fixture is the page served as the control plane's admin in front of
// workloads of a test's own (objects, applied with kubectl) and an observer
// batch of flows (batch, YAML as the store takes it), with the server's
// advisor behind the aggregated API.
type fixture struct {
	cp     *testutil.ControlPlane
	srv    *ui.Server
	chrome string
}

func serveFixture(tb testing.TB, objects, batch, ns string) *fixture {
	tb.Helper()
	chrome := chromium(tb)
	cp := testutil.StartControlPlane(tb, testutil.FrontProxy(tb))
	file := filepath.Join(tb.TempDir(), "baseline.yaml")
	testutil.WriteFile(tb, file, []byte(batch))
	st := aggregated.StoreWithBaseline(tb, file)
	if _, errOut, err := cp.Kubectl(context.Background(), []byte(objects), "apply", "-f", "-"); err != nil {
		tb.Fatalf("apply the fixture's workloads: %v\n%s", err, errOut)
	}
	adv := aggregated.StartAdvisor(tb, cp, st)
	aggregated.Start(tb, cp, apiserver.Deps{Baselines: st, Recommender: adv, Checker: adv, Explainer: adv, Describer: adv})
	return &fixture{cp: cp, srv: serveUI(tb, ui.Config{REST: cp.Config, Namespace: ns}), chrome: chrome}
}

// serveUI serves the page until the test ends.
func serveUI(tb testing.TB, cfg ui.Config) *ui.Server {
	tb.Helper()
	srv, err := ui.Listen(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	tb.Cleanup(func() { cancel(); <-done })
	return srv
}

// chromium is Debian's chromium (hack/install-deps.sh installs it); in CI
// its absence fails the test.
func chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testutil.SkipOrFail(tb, "no chromium on PATH: run hack/install-deps.sh (apt-get install chromium)")
	return ""
}

// workload is a Deployment or StatefulSet whose pods carry app: name.
func workload(kind, ns, name string) string {
	extra := ""
	if kind == "StatefulSet" {
		extra = "\n  serviceName: " + name
	}
	return fmt.Sprintf(`---
apiVersion: apps/v1
kind: %[1]s
metadata: {name: %[3]s, namespace: %[2]s}
spec:%[4]s
  selector: {matchLabels: {app: %[3]s}}
  template:
    metadata: {labels: {app: %[3]s}}
    spec: {containers: [{name: c, image: example.invalid/app}]}
`, kind, ns, name, extra)
}

func namespaces(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", n)
	}
	return b.String()
}

// flowYAML is one flow of an observer batch: workload and peer as
// ns/Kind/name, peer "ip:A" for an address, svc "ns/name:port" or "".
func flowYAML(wl, dir, peer, svc string, port, count int, now time.Time) string {
	ref := func(s string) string {
		p := strings.SplitN(s, "/", 3)
		return fmt.Sprintf("{namespace: %s, kind: %s, name: %s}", p[0], p[1], p[2])
	}
	var p string
	if ip, ok := strings.CutPrefix(peer, "ip:"); ok {
		p = "{kind: External, ip: " + ip
	} else {
		p = "{kind: Workload, workload: " + ref(peer)
	}
	if svc != "" {
		nsName, svcPort, _ := strings.Cut(svc, ":")
		ns, name, _ := strings.Cut(nsName, "/")
		p += fmt.Sprintf(", service: {namespace: %s, name: %s, port: %s}", ns, name, svcPort)
	}
	return fmt.Sprintf(`- workload: %s
  direction: %s
  peer: %s}
  port: %d
  protocol: TCP
  process: app
  count: %d
  firstSeen: %q
  lastSeen: %q
`, ref(wl), dir, p, port, count, now.Add(-2*time.Hour).UTC().Format(time.RFC3339), now.Add(-time.Minute).UTC().Format(time.RFC3339))
}
