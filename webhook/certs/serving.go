package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
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

// TLSOptions returns the webhook server's TLS settings, for
// controller-runtime's webhook.Options.TLSOpts:
//
//   - HTTP/1.1 only. The API server needs nothing more, and HTTP/2 on a
//     server reachable from pods is exposed to the stream-cancellation and
//     rapid-reset floods (CVE-2023-44487, CVE-2023-39325), which is why
//     kubebuilder's scaffolding turns it off the same way.
//   - TLS 1.2 or newer.
//   - With a.CAFile: a verified client certificate, of one of a.Names when
//     they are given.
func TLSOptions(a ClientAuth) ([]func(*tls.Config), error) {
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
	pool, err := loadPool(a.CAFile)
	if err != nil {
		return nil, err
	}
	names := slices.Clone(a.Names)
	return append(opts, func(c *tls.Config) {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = pool
		if len(names) > 0 {
			c.VerifyConnection = func(cs tls.ConnectionState) error { return allowed(cs, names) }
		}
	}), nil
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
// SAN is one of names. It runs after the chain was verified.
func allowed(cs tls.ConnectionState, names []string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("no client certificate")
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
