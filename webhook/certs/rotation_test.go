package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// Issue 11 item 6: across several CA rotations, with two replicas sharing
// the Secret (one of them re-reading it only every other day), a client
// that trusts the caBundle of the configurations in the real API server,
// as it was just before or just after any replica's renewal, completes a
// TLS handshake with every replica at every moment.
func TestCARotationNeverBreaksTrust(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "netpol-advisor"}})
	mustCreate(t, c, config.Mutating(config.Options{}))
	mustCreate(t, c, config.Validating(config.Options{}))

	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	opts := Options{Namespace: "netpol-advisor", Service: "netpol-advisor", Webhooks: config.Name,
		CAValidity: 30 * 24 * time.Hour, Validity: 10 * 24 * time.Hour, Interval: time.Hour, Now: func() time.Time { return now }}
	replicas := []*Rotator{{Client: c, Options: withDir(opts, t.TempDir())}, {Client: c, Options: withDir(opts, t.TempDir())}}
	addrs := make([]string, len(replicas))
	for i, r := range replicas {
		if err := r.Ensure(context.Background()); err != nil {
			t.Fatalf("first Ensure: %v", err)
		}
		addrs[i] = serveDir(t, r.Options.CertDir)
	}

	signers := map[string]bool{}
	const step = 12 * time.Hour
	for i := 0; now.Before(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)); i++ {
		now = now.Add(step)
		for j, r := range replicas {
			if j == 1 && i%4 != 0 {
				continue // the laggard
			}
			before := caBundles(t, c)
			if err := r.Ensure(context.Background()); err != nil {
				t.Fatalf("%s: Ensure by replica %d: %v", now, j, err)
			}
			after := caBundles(t, c)
			if n := bytes.Count(after, []byte("BEGIN CERTIFICATE")); n > 3 {
				t.Fatalf("%s: caBundle holds %d CAs: expired ones are not dropped", now, n)
			}
			for k, addr := range addrs {
				for name, bundle := range map[string][]byte{"before": before, "after": after} {
					if err := handshake(addr, bundle, now); err != nil {
						t.Fatalf("%s: replica %d renewed; replica %d's certificate is not trusted by the caBundle %s: %v", now, j, k, name, err)
					}
				}
			}
		}
		signers[string(readCert(t, replicas[0].Options.CertDir).AuthorityKeyId)] = true
	}
	if len(signers) < 3 {
		t.Fatalf("the serving certificate had %d signing CAs over the run, want at least 3 (two rotations)", len(signers))
	}
	t.Logf("%d CAs signed the serving certificate in turn; no handshake failed", len(signers))
}

// serveDir serves TLS on loopback with the certificate in dir as it is at
// each handshake (controller-runtime's certwatcher reloads it likewise).
func serveDir(t *testing.T, dir string) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, err := tls.LoadX509KeyPair(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
		return &c, err
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.(*tls.Conn).Handshake()
			}()
		}
	}()
	return l.Addr().String()
}

// handshake connects to addr as the API server would, trusting bundle, at
// the test's time now.
func handshake(addr string, bundle []byte, now time.Time) error {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(bundle) {
		return fmt.Errorf("caBundle holds no certificate")
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: roots, ServerName: "netpol-advisor.netpol-advisor.svc",
		Time: func() time.Time { return now }})
	if err != nil {
		return err
	}
	return conn.Close()
}
