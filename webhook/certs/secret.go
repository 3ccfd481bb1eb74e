package certs

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The keys of the Secret. ca.crt is the CA that signs tls.crt; ca-bundle.crt
// is everything the caBundle trusts (ca.crt, the staged next CA, retired
// CAs until they expire).
const (
	keyCACert     = "ca.crt"
	keyCAKey      = "ca.key"
	keyNextCACert = "next-ca.crt"
	keyNextCAKey  = "next-ca.key"
	keyBundle     = "ca-bundle.crt"
	keyCert       = corev1.TLSCertKey
	keyKey        = corev1.TLSPrivateKeyKey
)

func (r *Rotator) secretKey() client.ObjectKey {
	name := r.Options.Secret
	if name == "" {
		name = r.Options.Service + "-webhook-tls"
	}
	return client.ObjectKey{Namespace: r.Options.Namespace, Name: name}
}

// ensureSecret returns the Secret's contents advanced to now, writing them
// back when they changed. When two replicas renew at once, the loser of
// the write starts again from the winner's Secret.
func (r *Rotator) ensureSecret(ctx context.Context) (map[string][]byte, error) {
	var s corev1.Secret
	err := r.Client.Get(ctx, r.secretKey(), &s)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("get secret %s: %w", r.secretKey(), err)
	}
	exists := err == nil
	st, err := r.advance(decodeState(s.Data))
	if err != nil {
		return nil, err
	}
	data, err := st.encode()
	if err != nil {
		return nil, err
	}
	if exists && sameData(s.Data, data) {
		return data, nil
	}
	s.Namespace, s.Name, s.Type = r.secretKey().Namespace, r.secretKey().Name, corev1.SecretTypeTLS
	s.Data = data
	if exists {
		err = r.Client.Update(ctx, &s)
	} else {
		err = r.Client.Create(ctx, &s)
	}
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return r.ensureSecret(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("store certificate in secret %s: %w", r.secretKey(), err)
	}
	return data, nil
}

// decodeState reads what it can of a Secret's data; what does not parse is
// left out and made again.
func decodeState(d map[string][]byte) state {
	var s state
	s.ca, _ = parsePair(d[keyCACert], d[keyCAKey])
	s.next, _ = parsePair(d[keyNextCACert], d[keyNextCAKey])
	s.serving, _ = parsePair(d[keyCert], d[keyKey])
	rest := d[keyBundle]
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil || (s.ca != nil && c.Equal(s.ca.cert)) || (s.next != nil && c.Equal(s.next.cert)) {
			continue
		}
		s.retired = append(s.retired, c)
	}
	return s
}

func (s state) encode() (map[string][]byte, error) {
	d := map[string][]byte{keyBundle: s.trustBundle()}
	var err error
	if d[keyCACert], d[keyCAKey], err = s.ca.pem(); err != nil {
		return nil, err
	}
	if s.next != nil {
		if d[keyNextCACert], d[keyNextCAKey], err = s.next.pem(); err != nil {
			return nil, err
		}
	}
	if d[keyCert], d[keyKey], err = s.serving.pem(); err != nil {
		return nil, err
	}
	return d, nil
}

func sameData(a, b map[string][]byte) bool {
	return maps.EqualFunc(a, b, bytes.Equal)
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
