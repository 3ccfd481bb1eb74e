package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// Against a real API server: the first Ensure creates the Secret, the files
// and the caBundles; a second replica reuses them; near expiry the serving
// certificate is renewed under the same CA.
func TestEnsureCreatesSharesAndRenews(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	ctx := context.Background()
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "netpol-advisor"}})
	mustCreate(t, c, config.Mutating(config.Options{}))
	mustCreate(t, c, config.Validating(config.Options{}))

	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	opts := Options{Namespace: "netpol-advisor", Service: "netpol-advisor", Webhooks: config.Name, Now: func() time.Time { return now }}
	a := &Rotator{Client: c, Options: withDir(opts, t.TempDir())}
	if err := a.Ensure(ctx); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	first := readCert(t, a.Options.CertDir)
	ca := caBundles(t, c)
	verify(t, first, ca, now)

	b := &Rotator{Client: c, Options: withDir(opts, t.TempDir())}
	if err := b.Ensure(ctx); err != nil {
		t.Fatalf("Ensure by a second replica: %v", err)
	}
	if got := readCert(t, b.Options.CertDir); !got.Equal(first) {
		t.Error("second replica made its own certificate instead of sharing the Secret's")
	}

	now = first.NotAfter.Add(-24 * time.Hour)
	if err := a.Ensure(ctx); err != nil {
		t.Fatalf("Ensure near expiry: %v", err)
	}
	renewed := readCert(t, a.Options.CertDir)
	if renewed.Equal(first) {
		t.Fatal("certificate not renewed a day before expiry")
	}
	if !bytes.Equal(caBundles(t, c), ca) {
		t.Error("caBundle changed although the CA is still fresh")
	}
	verify(t, renewed, ca, now)
}

func withDir(o Options, dir string) Options { o.CertDir = dir; return o }

func mustCreate(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
}

func readCert(t *testing.T, dir string) *x509.Certificate {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if err != nil {
		t.Fatalf("load written key pair: %v", err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tls.crt.tmp")); err == nil {
		t.Error("temporary file left behind")
	}
	return cert
}

// caBundles returns the caBundle of both configurations, failing unless
// every webhook carries the same one.
func caBundles(t *testing.T, c client.Client) []byte {
	t.Helper()
	var m admissionregistrationv1.MutatingWebhookConfiguration
	var v admissionregistrationv1.ValidatingWebhookConfiguration
	key := client.ObjectKey{Name: config.Name}
	if err := c.Get(context.Background(), key, &m); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(context.Background(), key, &v); err != nil {
		t.Fatal(err)
	}
	ca := m.Webhooks[0].ClientConfig.CABundle
	if len(ca) == 0 || !bytes.Equal(ca, v.Webhooks[0].ClientConfig.CABundle) {
		t.Fatalf("caBundles differ or are empty: %q / %q", ca, v.Webhooks[0].ClientConfig.CABundle)
	}
	return ca
}

func verify(t *testing.T, cert *x509.Certificate, ca []byte, now time.Time) {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		t.Fatal("caBundle holds no certificate")
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "netpol-advisor.netpol-advisor.svc", CurrentTime: now}); err != nil {
		t.Errorf("serving certificate does not verify against the caBundle: %v", err)
	}
}
