package certs

import (
	"bytes"
	"context"
	"crypto/x509"
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
	b, err := r.ensureSecret(ctx)
	if err != nil {
		return err
	}
	if err := r.writeFiles(b); err != nil {
		return err
	}
	return r.patchCABundles(ctx, b.CACert)
}

// Start implements manager.Runnable: Ensure every Interval until ctx ends.
func (r *Rotator) Start(ctx context.Context) error {
	every := r.Options.Interval
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
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

// valid reports whether b is a fresh CA and a fresh certificate it signed
// for our DNS names.
func (r *Rotator) valid(b bundle) bool {
	ca, err1 := parsePair(b.CACert, b.CAKey)
	srv, err2 := parsePair(b.Cert, b.Key)
	if err1 != nil || err2 != nil || !fresh(ca.cert, r.now()) || !fresh(srv.cert, r.now()) {
		return false
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	names := []string{r.dnsNames()[0]}
	for _, ip := range r.Options.IPs {
		names = append(names, ip.String())
	}
	for _, name := range names {
		if _, err := srv.cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: name, CurrentTime: r.now()}); err != nil {
			return false
		}
	}
	return true
}

// writeFiles writes tls.crt and tls.key, each by rename so the server's
// file watcher never reads half a file; unchanged files are left alone.
func (r *Rotator) writeFiles(b bundle) error {
	if err := os.MkdirAll(r.Options.CertDir, 0o700); err != nil {
		return fmt.Errorf("create certificate directory: %w", err)
	}
	for name, data := range map[string][]byte{"tls.key": b.Key, "tls.crt": b.Cert} {
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
