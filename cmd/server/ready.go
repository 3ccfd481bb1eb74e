package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/netpol-advisor/netpol-advisor/internal/health"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
)

// storeReady is the store answering a read: Badger open and not failed.
func storeReady(st *badgerstore.Store) func(context.Context) error {
	return func(ctx context.Context) error {
		if _, err := st.LastSeq(ctx, "readiness-probe"); err != nil {
			return fmt.Errorf("baseline store does not answer: %w", err)
		}
		return nil
	}
}

// addWebhookChecks makes readiness wait for the webhook server to listen,
// the manager's caches to sync, and the certificate the API server will see
// to be issued and trusted by both webhook configurations.
func addWebhookChecks(probe *health.Probe, mgr manager.Manager, o certs.Options) error {
	c, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme()})
	if err != nil {
		return fmt.Errorf("webhook readiness: client: %w", err)
	}
	started := mgr.GetWebhookServer().StartedChecker()
	probe.Add("webhook-server", func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		return started(req)
	})
	probe.Add("webhook-caches", func(ctx context.Context) error {
		if !mgr.GetCache().WaitForCacheSync(ctx) {
			return errors.New("the webhooks' informers have not synced")
		}
		return nil
	})
	probe.Add("webhook-certificate", certificateCheck(c, o))
	return nil
}

// certificateCheck is certificateInPlace, repairing what it finds missing:
// the configurations may have been created (or re-created by a helm
// upgrade) after the server patched them, and the rotator's own round is
// hourly.
func certificateCheck(c client.Client, o certs.Options) func(context.Context) error {
	rot := &certs.Rotator{Client: c, Options: o}
	return func(ctx context.Context) error {
		if err := certificateInPlace(ctx, c, o); err == nil {
			return nil
		}
		if err := rot.Ensure(ctx); err != nil {
			return err
		}
		return certificateInPlace(ctx, c, o)
	}
}

// certificateInPlace checks that the serving certificate on disk is the one
// in the Secret and that every webhook of both configurations trusts its CA.
func certificateInPlace(ctx context.Context, c client.Client, o certs.Options) error {
	var s corev1.Secret
	if err := c.Get(ctx, client.ObjectKey{Namespace: o.Namespace, Name: o.Secret}, &s); err != nil {
		return fmt.Errorf("webhook certificate secret %s/%s: %w", o.Namespace, o.Secret, err)
	}
	ca, crt := s.Data["ca.crt"], s.Data[corev1.TLSCertKey]
	if len(ca) == 0 || len(crt) == 0 {
		return fmt.Errorf("webhook certificate secret %s/%s holds no certificate yet", o.Namespace, o.Secret)
	}
	onDisk, err := os.ReadFile(filepath.Join(o.CertDir, corev1.TLSCertKey))
	if err != nil || !bytes.Equal(onDisk, crt) {
		return fmt.Errorf("webhook serving certificate in %s is not the one in secret %s", o.CertDir, o.Secret)
	}
	var m admissionregistrationv1.MutatingWebhookConfiguration
	var v admissionregistrationv1.ValidatingWebhookConfiguration
	var bundles [][]byte
	if err := c.Get(ctx, client.ObjectKey{Name: o.Webhooks}, &m); err != nil {
		return fmt.Errorf("mutating webhook configuration %s: %w", o.Webhooks, err)
	}
	for _, w := range m.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	if err := c.Get(ctx, client.ObjectKey{Name: o.Webhooks}, &v); err != nil {
		return fmt.Errorf("validating webhook configuration %s: %w", o.Webhooks, err)
	}
	for _, w := range v.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	for _, b := range bundles {
		if !bytes.Contains(b, bytes.TrimSpace(ca)) {
			return fmt.Errorf("webhook configurations %s do not trust the certificate's CA yet (caBundle not patched)", o.Webhooks)
		}
	}
	return nil
}
