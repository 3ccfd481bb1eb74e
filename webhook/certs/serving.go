package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
)

// ClientAuth says which clients the webhook server answers. The zero value
// answers any client that completes a TLS handshake: then only the network
// (the chart's NetworkPolicy) keeps others out.
type ClientAuth struct {
	// CAFile is a PEM bundle of the CAs that sign the API server's client
	// certificate (the one its AdmissionConfiguration's kubeConfigFile
	// names). When set, a client without a certificate it signed is
	// refused in the TLS handshake.
	CAFile string
	// Names, when set, are the only certificate names admitted: a client
	// certificate's common name or one of its DNS SANs must be one of them.
	Names []string
}

// NewServer returns controller-runtime's webhook server with o and these
// TLS settings on top:
//
//   - HTTP/1.1 only. The API server needs nothing more, and HTTP/2 on a
//     server reachable from pods is exposed to the stream-cancellation and
//     rapid-reset floods (CVE-2023-44487, CVE-2023-39325), which is why
//     kubebuilder's scaffolding turns it off the same way.
//   - TLS 1.2 or newer.
//   - With a.CAFile: a certificate a client presents must verify against
//     it (and be one of a.Names when they are given) or the handshake
//     fails; a request without one is answered 403 before any webhook
//     sees it. A handshake without a certificate is allowed only so the
//     server's own readiness check (StartedChecker dials without one)
//     keeps working and stays out of the error log.
func NewServer(o crwebhook.Options, a ClientAuth) (crwebhook.Server, error) {
	opts, err := tlsOptions(a)
	if err != nil {
		return nil, err
	}
	o.TLSOpts = append(slices.Clone(o.TLSOpts), opts...)
	srv := crwebhook.NewServer(o)
	if a.CAFile == "" {
		return srv, nil
	}
	return clientCertServer{srv}, nil
}

func tlsOptions(a ClientAuth) ([]func(*tls.Config), error) {
	opts := []func(*tls.Config){func(c *tls.Config) {
		c.NextProtos = []string{"http/1.1"}
		c.MinVersion = tls.VersionTLS12
	}}
	if a.CAFile == "" {
		if len(a.Names) > 0 {
			return nil, errors.New("webhook client names given without a client CA: set --webhook-client-ca-file too")
		}
		return opts, nil
	}
	cas := &clientCAs{file: a.CAFile}
	if _, err := cas.reload(); err != nil {
		return nil, err
	}
	names := slices.Clone(a.Names)
	return append(opts, func(c *tls.Config) {
		c.ClientAuth = tls.VerifyClientCertIfGiven
		if len(names) > 0 {
			c.VerifyConnection = func(cs tls.ConnectionState) error { return allowed(cs, names) }
		}
		// Each handshake sees the CA file as it is now: a ConfigMap
		// update replaces the mounted file without a restart.
		c.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
			hs := c.Clone()
			hs.GetConfigForClient = nil
			hs.ClientCAs = cas.current()
			return hs, nil
		}
	}), nil
}

// clientCertServer serves every registered webhook only to requests that
// came with a verified client certificate.
type clientCertServer struct{ crwebhook.Server }

func (s clientCertServer) Register(path string, hook http.Handler) {
	s.Server.Register(path, requireClientCert(hook))
}

func requireClientCert(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			http.Error(w, "a client certificate is required: only the Kubernetes API server may call these webhooks", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientCAs is the client CA file's pool, read again when the file
// changes; a change that does not parse keeps the last good pool.
type clientCAs struct {
	file string
	mu   sync.Mutex
	seen os.FileInfo
	pool *x509.CertPool
}

func (c *clientCAs) current() *x509.CertPool {
	pool, _ := c.reload()
	return pool
}

func (c *clientCAs) reload() (*x509.CertPool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fi, err := os.Stat(c.file)
	if err == nil && c.seen != nil && fi.ModTime().Equal(c.seen.ModTime()) && fi.Size() == c.seen.Size() {
		return c.pool, nil
	}
	pool, err := loadPool(c.file)
	if err != nil {
		return c.pool, err
	}
	c.pool, c.seen = pool, fi
	return pool, nil
}

func loadPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read webhook client CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("webhook client CA %s holds no PEM certificate: give the CA that signs the API server's webhook client certificate", file)
	}
	return pool, nil
}

// allowed admits a verified client certificate whose common name or a DNS
// SAN is one of names. It runs after the chain was verified; a connection
// without a certificate passes here and is refused per request.
func allowed(cs tls.ConnectionState, names []string) error {
	if len(cs.PeerCertificates) == 0 {
		return nil
	}
	leaf := cs.PeerCertificates[0]
	for _, n := range append([]string{leaf.Subject.CommonName}, leaf.DNSNames...) {
		if n != "" && slices.Contains(names, n) {
			return nil
		}
	}
	return fmt.Errorf("client certificate %q (DNS names %s) is not one of the allowed webhook clients %s",
		leaf.Subject.CommonName, strings.Join(leaf.DNSNames, ","), strings.Join(names, ","))
}
