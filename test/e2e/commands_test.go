package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// startCommands starts the server and then the observer as a cluster runs
// them: the server with the admin kubeconfig (its Deployment's
// ServiceAccount is not under test here), the observer as its own
// ServiceAccount towards both the API server and the server. It returns once
// both are ready.
func (w *world) startCommands(t *testing.T, cp *testutil.ControlPlane, a apiObjects, serverBin, observerBin string, serverArgs ...string) (srv, obs *proc) {
	t.Helper()
	dir := t.TempDir()
	cert, key := testutil.SelfSignedCert(t, dir)
	w.https = testutil.TrustingClient(t, cert)
	args := []string{"--listen", w.apiURL[len("https://"):], "--metrics-listen", w.serverMetrics,
		"--tls-cert-file", cert, "--tls-key-file", key, "--kubeconfig", cp.Kubeconfig, "--data-dir", filepath.Join(dir, "server"),
		"--bucket", "1s", "--observer-user", observerUser, "--webhook-port", "0"}
	srv = start(t, "server", serverBin, append(args, serverArgs...)...)

	// Two tokens, as in a cluster: the ServiceAccount's own towards the API
	// server, the projected pod-bound one of the product's audience
	// towards the server.
	apiToken := filepath.Join(dir, "observer-api.token")
	testutil.WriteFile(t, apiToken, []byte(a.serviceAccount("observer")))
	token := filepath.Join(dir, "observer.token")
	testutil.WriteFile(t, token, []byte(a.observerToken()))
	a.observerRBAC()
	cgroupRoot, err := cgroups.V2Mount()
	if err != nil {
		t.Fatal(err)
	}
	srv.waitLog(t, "server listening", time.Minute)
	obs = start(t, "observer", observerBin, "run", "--node-name", w.node, "--server", w.apiURL, "--server-ca-file", cert,
		"--token-file", token, "--kubeconfig", tokenKubeconfig(a, dir, cp.Config, apiToken),
		"--data-dir", filepath.Join(dir, "observer"), "--drain-interval", "500ms", "--metrics-listen", w.obsMetric,
		"--cgroup-root", cgroupRoot)
	obs.waitLog(t, "observer agent started", time.Minute)
	return srv, obs
}
