package webhook

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// With no certificate made by the test harness: SetupCerts makes one,
// patches the caBundles of the installed configurations, and the real
// kube-apiserver then calls the webhook over TLS (kubectl shows its
// warnings).
func TestSetupCertsServesTheRealAPIServer(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	s := &suite{cp: testutil.StartControlPlane(t)}
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s.store = st
	port := freePort(t)
	installByURL(t, s.cp, fmt.Sprintf("https://127.0.0.1:%d", port))

	dir := t.TempDir()
	co := certs.Options{Namespace: "netpol-advisor", Service: "netpol-advisor", CertDir: dir, Webhooks: config.Name, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}
	s.startManagerOn(t, Options{NoAnnotator: true}, crwebhook.Options{Host: "127.0.0.1", Port: port, CertDir: dir},
		func(mgr ctrl.Manager) {
			if err := SetupCerts(context.Background(), mgr, co); err != nil {
				t.Fatalf("SetupCerts: %v", err)
			}
		})
	s.applyBatch(t, "story/baseline.yaml")
	k := kubectl{t: t, cp: s.cp}
	k.run(nil, "apply", "-f", "testdata/story/cluster.yaml", "-f", "testdata/story/javaapp.yaml")
	s.waitForCache(t, 6)
	_, stderr := k.run(nil, "apply", "--dry-run=server", "-f", "testdata/story/handwritten.yaml")
	assertStoryWarnings(t, stderr)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// installByURL installs the product's configurations pointing at base
// instead of the Service, without caBundle, and the product's namespace
// for the certificate Secret.
func installByURL(t *testing.T, cp *testutil.ControlPlane, base string) {
	t.Helper()
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, v := config.Mutating(config.Options{}), config.Validating(config.Options{})
	mu, vu := base+config.MutatePath, base+config.ValidatePath
	m.Webhooks[0].ClientConfig.Service, m.Webhooks[0].ClientConfig.URL = nil, &mu
	v.Webhooks[0].ClientConfig.Service, v.Webhooks[0].ClientConfig.URL = nil, &vu
	for _, obj := range []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "netpol-advisor"}}, m, v} {
		if err := c.Create(ctx, obj); err != nil {
			t.Fatalf("create %T: %v", obj, err)
		}
	}
}
