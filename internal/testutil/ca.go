package testutil

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// CA is a test certificate authority that issues server and client
// certificates into a folder.
type CA struct {
	// CertFile is the CA's certificate (PEM).
	CertFile string
	// PEM is the same certificate, for caBundle fields.
	PEM  []byte
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	dir  string
}

// NewCA creates a CA in a temporary folder.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	dir := t.TempDir()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	key, der := sign(t, tmpl, nil, nil)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse CA certificate: %v", err)
	}
	ca := &CA{CertFile: filepath.Join(dir, "ca.crt"), PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		cert: cert, key: key, dir: dir}
	WriteFile(t, ca.CertFile, ca.PEM)
	return ca
}

// Issue writes a certificate for cn (client and server use) with the given
// DNS names and IPs, and its key, as <file>.crt and <file>.key.
func (ca *CA) Issue(t testing.TB, file, cn string, dns []string, ips []net.IP) (certFile, keyFile string) {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: dns, IPAddresses: ips, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	key, der := sign(t, tmpl, ca.cert, ca.key)
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatalf("marshal key: %v", err)
	}
	certFile, keyFile = filepath.Join(ca.dir, file+".crt"), filepath.Join(ca.dir, file+".key")
	WriteFile(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	WriteFile(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
	return certFile, keyFile
}

// sign makes a key and a certificate for tmpl signed by parent (itself when
// nil).
func sign(t testing.TB, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatalf("create certificate %s: %v", tmpl.Subject.CommonName, err)
	}
	return key, der
}

// FrontProxyClient is the name the API server's front-proxy certificate
// carries, as kubeadm names it.
const FrontProxyClient = "front-proxy-client"

// FrontProxy is a StartControlPlane option that turns on kube-apiserver's
// aggregation layer as kubeadm does: a front-proxy CA, the client
// certificate the API server presents to aggregated API servers, and the
// request headers that carry the user to them.
func FrontProxy(t testing.TB) func(*envtest.Environment) {
	ca := NewCA(t, "front-proxy-ca")
	cert, key := ca.Issue(t, "front-proxy-client", FrontProxyClient, nil, nil)
	return func(env *envtest.Environment) {
		args := env.ControlPlane.GetAPIServer().Configure()
		args.Set("requestheader-client-ca-file", ca.CertFile)
		args.Set("requestheader-allowed-names", FrontProxyClient)
		args.Set("requestheader-username-headers", "X-Remote-User")
		args.Set("requestheader-group-headers", "X-Remote-Group")
		args.Set("requestheader-extra-headers-prefix", "X-Remote-Extra-")
		args.Set("proxy-client-cert-file", cert)
		args.Set("proxy-client-key-file", key)
	}
}
