// Package aggregated serves the netpol-advisor.io aggregated API in a test
// and registers it with a real kube-apiserver, as the chart does: an
// APIService, a Service (an ExternalName to loopback, since envtest has no
// kube-proxy) and a serving certificate the APIService's caBundle trusts.
package aggregated

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/apiserver"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// Start serves the API with deps on loopback until the test ends and waits
// until the API server reports the APIService available. cp must have been
// started with testutil.FrontProxy.
func Start(t testing.TB, cp *testutil.ControlPlane, deps apiserver.Deps) {
	t.Helper()
	ca := testutil.NewCA(t, "netpol-advisor-api-ca")
	cert, key := ca.Issue(t, "serving", "netpol-advisor-api", []string{"netpol-advisor-api.netpol-advisor.svc"},
		[]net.IP{net.IPv4(127, 0, 0, 1)})
	port := testutil.FreePort(t)
	srv, err := apiserver.New(apiserver.Config{BindAddress: net.IPv4(127, 0, 0, 1), Port: port, CertFile: cert, KeyFile: key,
		Kubeconfig: cp.Kubeconfig}, deps)
	if err != nil {
		t.Fatalf("aggregated API: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	kubectl(t, cp, []byte(Registration(port, ca.PEM)), "apply", "-f", "-")
	kubectl(t, cp, nil, "wait", "--for=condition=Available", "apiservice/v1alpha1.netpol-advisor.io", "--timeout=90s")
}

// Registration is the Namespace, Service and APIService that send the API
// server's requests for netpol-advisor.io to port on loopback.
func Registration(port int, caPEM []byte) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: netpol-advisor}
---
apiVersion: v1
kind: Service
metadata: {name: netpol-advisor-api, namespace: netpol-advisor}
spec:
  type: ExternalName
  externalName: 127.0.0.1
  ports: [{port: %[1]d}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.netpol-advisor.io}
spec:
  group: netpol-advisor.io
  version: v1alpha1
  service: {namespace: netpol-advisor, name: netpol-advisor-api, port: %[1]d}
  caBundle: %[2]s
  groupPriorityMinimum: 1000
  versionPriority: 15
`, port, base64.StdEncoding.EncodeToString(caPEM))
}

func kubectl(t testing.TB, cp *testutil.ControlPlane, stdin []byte, args ...string) {
	t.Helper()
	if _, errOut, err := cp.Kubectl(context.Background(), stdin, args...); err != nil {
		t.Fatalf("kubectl %v: %v\n%s", args, err, errOut)
	}
}
