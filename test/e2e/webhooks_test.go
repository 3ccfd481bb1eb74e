package e2e

import (
	"net"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// installWebhooks registers the server binary's admission webhooks with
// the API server as the chart does (the configurations of webhook/config,
// whose caBundle the server patches with its self-rotated certificate's
// CA), except that their Service is an ExternalName to loopback: envtest
// has no kube-proxy. It returns the server's webhook flags.
func installWebhooks(t *testing.T, a apiObjects) []string {
	t.Helper()
	_, p, err := net.SplitHostPort(testutil.FreeAddr(t))
	a.must("pick the webhook port", err)
	port, err := strconv.Atoi(p)
	a.must("pick the webhook port", err)
	o := config.Options{Namespace: productNS, Port: int32(port)}
	_, err = a.cs.CoreV1().Services(productNS).Create(a.ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "netpol-advisor-webhook"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "127.0.0.1",
			Ports: []corev1.ServicePort{{Port: int32(port)}}}}, metav1.CreateOptions{})
	a.must("create the webhook Service", err)
	_, err = a.cs.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(a.ctx, config.Mutating(o), metav1.CreateOptions{})
	a.must("create the MutatingWebhookConfiguration", err)
	_, err = a.cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(a.ctx, config.Validating(o), metav1.CreateOptions{})
	a.must("create the ValidatingWebhookConfiguration", err)
	return []string{"--webhook-port", p, "--webhook-cert-dir", t.TempDir(), "--namespace", productNS,
		"--webhook-service", "netpol-advisor-webhook", "--webhook-configuration", config.Name}
}
