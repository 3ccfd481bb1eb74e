package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
)

// testPKI is a serving CA with a certificate for 127.0.0.1 written to a
// directory, and a client CA.
type testPKI struct {
	dir             string
	serving, client *keyPair
	servingCAPool   *x509.CertPool
	clientCAFile    string
	serverCert, key []byte
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	now := time.Now()
	sca, err := newCA(now, time.Hour)
	must(t, err)
	srv, err := newServing(sca, []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}, now, time.Hour)
	must(t, err)
	cca, err := newCA(now, time.Hour)
	must(t, err)
	p := &testPKI{dir: t.TempDir(), serving: sca, client: cca, servingCAPool: x509.NewCertPool()}
	p.servingCAPool.AddCert(sca.cert)
	p.serverCert, p.key, err = srv.pem()
	must(t, err)
	writeFile(t, filepath.Join(p.dir, "tls.crt"), p.serverCert)
	writeFile(t, filepath.Join(p.dir, "tls.key"), p.key)
	caPEM, _, err := cca.pem()
	must(t, err)
	p.clientCAFile = filepath.Join(p.dir, "client-ca.crt")
	writeFile(t, p.clientCAFile, caPEM)
	return p
}

// clientCert signs a client certificate with ca.
func clientCert(t *testing.T, ca *keyPair, cn string, dns ...string) tls.Certificate {
	t.Helper()
	kp, err := newKeyPair(&x509.Certificate{
		Subject: pkix.Name{CommonName: cn}, DNSNames: dns,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, ca)
	must(t, err)
	c, k, err := kp.pem()
	must(t, err)
	pair, err := tls.X509KeyPair(c, k)
	must(t, err)
	return pair
}

// serve starts controller-runtime's webhook server with TLSOptions(a) and
// returns its base URL.
func serve(t *testing.T, p *testPKI, a ClientAuth) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	srv, err := NewServer(crwebhook.Options{Host: "127.0.0.1", Port: port, CertDir: p.dir}, a)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	srv.Register("/ok", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Proto) }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	// The readiness check dials without a client certificate: it must
	// pass whatever the client authentication.
	deadline := time.Now().Add(10 * time.Second)
	for err := srv.StartedChecker()(&http.Request{}); err != nil; err = srv.StartedChecker()(&http.Request{}) {
		if time.Now().After(deadline) {
			t.Fatalf("webhook server's started check: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Sprintf("https://127.0.0.1:%d", port)
}

// get calls url offering h2 and HTTP/1.1, with certs, and returns the
// protocol the server answered with.
func get(p *testPKI, url string, certs ...tls.Certificate) (string, error) {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.servingCAPool, Certificates: certs, NextProtos: []string{"h2", "http/1.1"}},
		ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(url + "/ok")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s", resp.Status)
	}
	return resp.Proto, nil
}

func TestWebhookServerClientAuth(t *testing.T) {
	p := newTestPKI(t)
	other, err := newCA(time.Now(), time.Hour)
	must(t, err)
	good := clientCert(t, p.client, "kube-apiserver-webhook-client")
	bySAN := clientCert(t, p.client, "someone", "apiserver.cluster.example")
	stranger := clientCert(t, p.client, "some-pod")
	forged := clientCert(t, other, "kube-apiserver-webhook-client")
	names := []string{"kube-apiserver-webhook-client", "apiserver.cluster.example"}

	open := serve(t, p, ClientAuth{})
	anyClient := serve(t, p, ClientAuth{CAFile: p.clientCAFile})
	named := serve(t, p, ClientAuth{CAFile: p.clientCAFile, Names: names})
	tests := []struct {
		name   string
		url    string
		certs  []tls.Certificate
		refuse bool
		want   string // in the refusal
	}{
		{name: "no client auth configured: anyone", url: open},
		{name: "CA required: no certificate refused", url: anyClient, refuse: true, want: "403"},
		{name: "CA required: another CA's certificate refused", url: anyClient, certs: []tls.Certificate{forged}, refuse: true},
		{name: "CA required: the CA's certificate admitted", url: anyClient, certs: []tls.Certificate{stranger}},
		{name: "names: no certificate refused", url: named, refuse: true, want: "403"},
		{name: "names: other name of the right CA refused", url: named, certs: []tls.Certificate{stranger}, refuse: true},
		{name: "names: another CA's certificate with the right name refused", url: named, certs: []tls.Certificate{forged}, refuse: true},
		{name: "names: common name admitted", url: named, certs: []tls.Certificate{good}},
		{name: "names: DNS SAN admitted", url: named, certs: []tls.Certificate{bySAN}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proto, err := get(p, tt.url, tt.certs...)
			if tt.refuse {
				if err == nil {
					t.Fatalf("request admitted (%s), want refused", proto)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("refused with %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("request refused: %v", err)
			}
			// A client offering h2 gets HTTP/1.1: HTTP/2 is off.
			if proto != "HTTP/1.1" {
				t.Errorf("protocol = %s, want HTTP/1.1 (h2 must not be negotiated)", proto)
			}
		})
	}
}

// The ALPN answer itself, without net/http in between.
func TestWebhookServerDoesNotNegotiateH2(t *testing.T) {
	p := newTestPKI(t)
	url := serve(t, p, ClientAuth{})
	conn, err := tls.Dial("tcp", strings.TrimPrefix(url, "https://"), &tls.Config{RootCAs: p.servingCAPool, NextProtos: []string{"h2"}})
	if err != nil {
		// With only h2 offered, a server without it may refuse the
		// handshake (no_application_protocol): that is also "not h2".
		if !strings.Contains(err.Error(), "no application protocol") {
			t.Fatalf("dial: %v", err)
		}
		return
	}
	defer conn.Close()
	if got := conn.ConnectionState().NegotiatedProtocol; got == "h2" {
		t.Errorf("negotiated %q, want no h2", got)
	}
}

func TestNewServerErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	writeFile(t, notPEM, []byte("hello"))
	for _, tt := range []struct {
		name string
		a    ClientAuth
		want string
	}{
		{"names without CA", ClientAuth{Names: []string{"x"}}, "--webhook-client-ca-file"},
		{"missing CA file", ClientAuth{CAFile: filepath.Join(dir, "nope")}, "read webhook client CA"},
		{"CA file without PEM", ClientAuth{CAFile: notPEM}, "holds no PEM certificate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewServer(crwebhook.Options{}, tt.a); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	must(t, os.WriteFile(path, b, 0o600))
}

// The client CA file is read again when it changes (a ConfigMap update):
// the new CA's certificates are admitted and the old CA's refused, without
// a restart; a file that stops parsing keeps the last good CA.
func TestWebhookServerReloadsTheClientCA(t *testing.T) {
	p := newTestPKI(t)
	url := serve(t, p, ClientAuth{CAFile: p.clientCAFile})
	old := clientCert(t, p.client, "kube-apiserver")
	if _, err := get(p, url, old); err != nil {
		t.Fatalf("before the change: %v", err)
	}
	next, err := newCA(time.Now(), time.Hour)
	must(t, err)
	nextPEM, _, err := next.pem()
	must(t, err)
	replace(t, p.clientCAFile, nextPEM, time.Now().Add(time.Second))
	if _, err := get(p, url, clientCert(t, next, "kube-apiserver")); err != nil {
		t.Errorf("the new CA's certificate is refused: %v", err)
	}
	if _, err := get(p, url, old); err == nil {
		t.Error("the old CA's certificate is still admitted")
	}
	replace(t, p.clientCAFile, []byte("truncated"), time.Now().Add(2*time.Second))
	if _, err := get(p, url, clientCert(t, next, "kube-apiserver")); err != nil {
		t.Errorf("a broken CA file dropped the last good CA: %v", err)
	}
}

// replace writes b to path by rename, as the kubelet swaps a ConfigMap
// volume, with modification time mod.
func replace(t *testing.T, path string, b []byte, mod time.Time) {
	t.Helper()
	writeFile(t, path+".new", b)
	must(t, os.Chtimes(path+".new", mod, mod))
	must(t, os.Rename(path+".new", path))
}
