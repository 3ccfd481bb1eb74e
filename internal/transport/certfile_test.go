package transport_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// TestCertFileReloadsRotatedCertificate rotates the certificate files
// under a serving HTTPS server: new handshakes get the new certificate, and
// a half-written pair keeps the old one serving.
func TestCertFileReloadsRotatedCertificate(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := testutil.SelfSignedCert(t, dir)
	cf, err := transport.LoadCertFile(certPath, keyPath, nil)
	if err != nil {
		t.Fatalf("LoadCertFile: %v", err)
	}
	cf.Every = 10 * time.Millisecond
	// As the server serves: no Certificates, only GetCertificate.
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: cf.GetCertificate, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()
	first := servedSerial(t, addr)
	if want := fileSerial(t, certPath); first != want {
		t.Fatalf("served serial %s, want the file's %s", first, want)
	}

	testutil.WriteFile(t, keyPath, []byte("not a key")) // a rotation half done
	time.Sleep(20 * time.Millisecond)                   // past Every, so the bad pair is tried
	if got := servedSerial(t, addr); got != first {
		t.Fatalf("a half-written pair replaced the certificate: serial %s", got)
	}

	certPath, _ = testutil.SelfSignedCert(t, dir) // the rotation completes
	want := fileSerial(t, certPath)
	deadline := time.Now().Add(5 * time.Second)
	for servedSerial(t, addr) != want {
		if time.Now().After(deadline) {
			t.Fatalf("the rotated certificate (serial %s) is not served", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func servedSerial(t *testing.T, addr string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reads the served certificate only
	if err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

func fileSerial(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(raw)
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c.SerialNumber.String()
}
