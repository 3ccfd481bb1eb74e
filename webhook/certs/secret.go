package certs

import (
	"bytes"
	"context"
	"fmt"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The keys of the Secret.
const (
	keyCACert = "ca.crt"
	keyCAKey  = "ca.key"
	keyCert   = corev1.TLSCertKey
	keyKey    = corev1.TLSPrivateKeyKey
)

func (r *Rotator) secretKey() client.ObjectKey {
	name := r.Options.Secret
	if name == "" {
		name = r.Options.Service + "-webhook-tls"
	}
	return client.ObjectKey{Namespace: r.Options.Namespace, Name: name}
}

// ensureSecret returns the Secret's bundle, renewing it when it is missing,
// invalid or a third of its life from expiry. When two replicas renew at
// once, the loser of the write reads the winner's bundle.
func (r *Rotator) ensureSecret(ctx context.Context) (bundle, error) {
	var s corev1.Secret
	err := r.Client.Get(ctx, r.secretKey(), &s)
	if err != nil && !apierrors.IsNotFound(err) {
		return bundle{}, fmt.Errorf("get secret %s: %w", r.secretKey(), err)
	}
	exists := err == nil
	b := bundle{CACert: s.Data[keyCACert], CAKey: s.Data[keyCAKey], Cert: s.Data[keyCert], Key: s.Data[keyKey]}
	if exists && r.valid(b) {
		return b, nil
	}
	if b, err = r.renew(b); err != nil {
		return bundle{}, err
	}
	s.Namespace, s.Name, s.Type = r.secretKey().Namespace, r.secretKey().Name, corev1.SecretTypeTLS
	s.Data = map[string][]byte{keyCACert: b.CACert, keyCAKey: b.CAKey, keyCert: b.Cert, keyKey: b.Key}
	if exists {
		err = r.Client.Update(ctx, &s)
	} else {
		err = r.Client.Create(ctx, &s)
	}
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return r.ensureSecret(ctx)
	}
	if err != nil {
		return bundle{}, fmt.Errorf("store certificate in secret %s: %w", r.secretKey(), err)
	}
	return b, nil
}

// renew keeps a fresh CA (so the caBundle does not change) and signs a new
// serving certificate; a stale or unreadable CA is replaced too.
func (r *Rotator) renew(old bundle) (bundle, error) {
	ca, err := parsePair(old.CACert, old.CAKey)
	if err != nil || !fresh(ca.cert, r.now()) {
		if ca, err = newCA(r.now(), orDefault(r.Options.CAValidity, 5*365*24*time.Hour)); err != nil {
			return bundle{}, err
		}
	}
	srv, err := newServing(ca, r.dnsNames(), r.Options.IPs, r.now(), orDefault(r.Options.Validity, 365*24*time.Hour))
	if err != nil {
		return bundle{}, err
	}
	var b bundle
	if b.CACert, b.CAKey, err = ca.pem(); err != nil {
		return bundle{}, err
	}
	if b.Cert, b.Key, err = srv.pem(); err != nil {
		return bundle{}, err
	}
	return b, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// patchCABundles sets caBundle on every webhook of the two configurations;
// a configuration not installed yet is skipped.
func (r *Rotator) patchCABundles(ctx context.Context, ca []byte) error {
	key := client.ObjectKey{Name: r.Options.Webhooks}
	var m admissionregistrationv1.MutatingWebhookConfiguration
	var v admissionregistrationv1.ValidatingWebhookConfiguration
	for _, obj := range []client.Object{&m, &v} {
		if err := r.Client.Get(ctx, key, obj); apierrors.IsNotFound(err) {
			continue
		} else if err != nil {
			return fmt.Errorf("get webhook configuration %s: %w", key.Name, err)
		}
		changed := false
		switch o := obj.(type) {
		case *admissionregistrationv1.MutatingWebhookConfiguration:
			for i := range o.Webhooks {
				changed = setBundle(&o.Webhooks[i].ClientConfig, ca) || changed
			}
		case *admissionregistrationv1.ValidatingWebhookConfiguration:
			for i := range o.Webhooks {
				changed = setBundle(&o.Webhooks[i].ClientConfig, ca) || changed
			}
		}
		if !changed {
			continue
		}
		if err := r.Client.Update(ctx, obj); err != nil {
			return fmt.Errorf("set caBundle of %T %s: %w", obj, key.Name, err)
		}
	}
	return nil
}

func setBundle(cc *admissionregistrationv1.WebhookClientConfig, ca []byte) bool {
	if bytes.Equal(cc.CABundle, ca) {
		return false
	}
	cc.CABundle = ca
	return true
}
