package scale

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/aggregated"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// The product's names, as the chart installs them.
const (
	productNS      = "netpol-advisor"
	webhookService = "netpol-advisor-webhook"
)

// startControlPlane starts kube-apiserver and etcd sized for the world:
// the front proxy for the aggregated API and a Service range that holds
// every Service (envtest's default is a /24).
func startControlPlane(tb testing.TB) *testutil.ControlPlane {
	return testutil.StartControlPlane(tb, testutil.FrontProxy(tb),
		testutil.WithAPIServerFlag("service-cluster-ip-range", "198.19.0.0/16"),
		func(env *envtest.Environment) { env.ControlPlaneStartTimeout = 3 * 60e9 })
}

// install registers the server with the API server as the chart does:
// its namespace, the webhook Service and configurations (the server
// patches their caBundle), the APIService of the aggregated API. Both
// Services are ExternalNames to loopback, since envtest has no kube-proxy.
func install(tb testing.TB, cp *testutil.ControlPlane, c client.Client, s *server, ca *testutil.CA) {
	ctx := context.Background()
	// The aggregated API's registration also creates the namespace.
	if _, errOut, err := cp.Kubectl(ctx, []byte(aggregated.Registration(s.apiPort, ca.PEM)), "apply", "-f", "-"); err != nil {
		tb.Fatalf("register the aggregated API: %v\n%s", err, errOut)
	}
	mustCreate(tb, c, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: productNS, Name: webhookService},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "127.0.0.1",
			Ports: []corev1.ServicePort{{Name: "webhook", Port: int32(s.webhookPort)}}}})
	opts := config.Options{Namespace: productNS, Service: webhookService, Port: int32(s.webhookPort)}
	mustCreate(tb, c, config.Mutating(opts))
	mustCreate(tb, c, config.Validating(opts))
	s.args = append(s.args, "--namespace", productNS, "--webhook-service", webhookService, "--webhook-configuration", config.Name)
}

// waitAvailable waits until the API server serves the aggregated API.
func waitAvailable(tb testing.TB, cp *testutil.ControlPlane) {
	if _, errOut, err := cp.Kubectl(context.Background(), nil, "wait", "--for=condition=Available",
		"apiservice/v1alpha1.netpol-advisor.io", "--timeout=120s"); err != nil {
		tb.Fatalf("the aggregated API did not become available: %v\n%s", err, errOut)
	}
}
