package main

import (
	"context"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// The silent dead install, as readiness sees it: configurations the
// API server cannot trust keep the server unready, and the check patches
// them instead of waiting for the rotator's hourly round, e.g. after a helm
// upgrade re-created them without caBundle.
func TestWebhookCertificateReadiness(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	c, err := client.New(cp.Config, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns := "np-system"
	mustCreate(ctx, t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	// As the chart makes it: empty, so helm uninstall removes it.
	mustCreate(ctx, t, c, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "np-webhook-tls", Namespace: ns}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: nil, corev1.TLSPrivateKeyKey: nil}})
	o := certs.Options{Namespace: ns, Service: "np-webhook", Secret: "np-webhook-tls", CertDir: t.TempDir(), Webhooks: "np"}
	check := certificateCheck(c, o)

	if err := certificateInPlace(ctx, c, o); err == nil || !strings.Contains(err.Error(), "holds no certificate yet") {
		t.Fatalf("before any certificate: %v, want not ready for want of a certificate", err)
	}
	if err := check(ctx); err == nil || !strings.Contains(err.Error(), "mutating webhook configuration np") {
		t.Fatalf("without configurations: %v, want not ready naming the missing configuration", err)
	}
	createConfigurations(ctx, t, c, o)
	if err := certificateInPlace(ctx, c, o); err == nil || !strings.Contains(err.Error(), "caBundle not patched") {
		t.Fatalf("configurations created after the certificate: %v, want not ready (caBundle not patched)", err)
	}
	if err := check(ctx); err != nil {
		t.Fatalf("the check did not repair the caBundle: %v", err)
	}
	// helm upgrade re-creating them: unready, then repaired by the next round.
	for _, obj := range []client.Object{&admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "np"}},
		&admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "np"}}} {
		if err := c.Delete(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	createConfigurations(ctx, t, c, o)
	if err := check(ctx); err != nil {
		t.Fatalf("after the configurations were re-created: %v", err)
	}
	if err := certificateInPlace(ctx, c, o); err != nil {
		t.Fatalf("after the repair: %v", err)
	}
}

func createConfigurations(ctx context.Context, t *testing.T, c client.Client, o certs.Options) {
	t.Helper()
	opts := config.Options{Namespace: o.Namespace, Service: o.Service}
	m, v := config.Mutating(opts), config.Validating(opts)
	m.Name, v.Name = o.Webhooks, o.Webhooks
	mustCreate(ctx, t, c, m)
	mustCreate(ctx, t, c, v)
}

func mustCreate(ctx context.Context, t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Create(ctx, obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}
