package certs

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// Options say where the certificate lives and whom it is for.
type Options struct {
	// Namespace and Service name the webhook Service; the certificate is
	// for service.namespace.svc (and the shorter and longer forms).
	Namespace, Service string
	// IPs are extra addresses the certificate is valid for, when the API
	// server reaches the webhook by IP (host network, tests).
	IPs []net.IP
	// Secret is the Secret in Namespace holding the CA and the certificate
	// (default <Service>-webhook-tls).
	Secret string
	// CertDir is where tls.crt and tls.key are written for the webhook server.
	CertDir string
	// Webhooks names the Mutating- and ValidatingWebhookConfigurations whose
	// caBundle is kept equal to the CA.
	Webhooks string
	// CAValidity and Validity are the lifetimes of the CA and the serving
	// certificate (defaults 5 years and 1 year).
	CAValidity, Validity time.Duration
	// Interval is how often the Rotator checks (default 1 hour).
	Interval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Rotator keeps the certificate current. Its client must read from the API
// server, not a cache: Ensure runs before the manager's cache starts.
type Rotator struct {
	Client  client.Client
	Options Options
}

func (r *Rotator) now() time.Time {
	if r.Options.Now != nil {
		return r.Options.Now()
	}
	return time.Now()
}

func (r *Rotator) dnsNames() []string {
	s, ns := r.Options.Service, r.Options.Namespace
	return []string{s + "." + ns + ".svc", s + "." + ns, s, s + "." + ns + ".svc.cluster.local"}
}

// Ensure makes the Secret hold a fresh CA and certificate, writes the
// certificate to CertDir and the CA into the webhook configurations.
func (r *Rotator) Ensure(ctx context.Context) error {
	d, err := r.ensureSecret(ctx)
	if err != nil {
		return err
	}
	// The caBundle first: it trusts the new certificate's CA before any
	// server presents it (see rotation.go).
	if err := r.patchCABundles(ctx, d[keyBundle]); err != nil {
		return err
	}
	return r.writeFiles(d[keyCert], d[keyKey])
}

// Start implements manager.Runnable: Ensure every Interval until ctx ends.
func (r *Rotator) Start(ctx context.Context) error {
	t := time.NewTicker(r.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := r.Ensure(ctx); err != nil {
				log.FromContext(ctx).Error(err, "renew webhook certificate; retrying at the next interval")
			}
		}
	}
}

// NeedLeaderElection is false: every replica writes its own files.
func (r *Rotator) NeedLeaderElection() bool { return false }

// writeFiles writes tls.crt and tls.key, each by rename so the server's
// file watcher never reads half a file; unchanged files are left alone.
func (r *Rotator) writeFiles(cert, key []byte) error {
	if err := os.MkdirAll(r.Options.CertDir, 0o700); err != nil {
		return fmt.Errorf("create certificate directory: %w", err)
	}
	for name, data := range map[string][]byte{"tls.key": key, "tls.crt": cert} {
		path := filepath.Join(r.Options.CertDir, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.WriteFile(path+".tmp", data, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			return fmt.Errorf("replace %s: %w", name, err)
		}
	}
	return nil
}
