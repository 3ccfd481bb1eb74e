package webhook

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/certs"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// apiServerClient is the CN of the client certificate the API server sends
// to webhooks in these tests.
const apiServerClient = "kube-apiserver-webhook-client"

// Issue 11 item 2 against the real kube-apiserver: with an
// AdmissionConfiguration that gives the API server a client certificate
// for the webhook's host, and the webhook server requiring it, kubectl
// still gets its warnings and Deployments their annotations; an
// AdmissionReview posted directly, without that certificate or with
// another one of the same CA, is refused and reveals no flow.
func TestWebhooksRequireTheAPIServersClientCertificate(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	dir := t.TempDir()
	ca := newTestCA(t)
	caFile := filepath.Join(dir, "webhook-client-ca.crt")
	testutil.WriteFile(t, caFile, ca.certPEM)
	apiCert, apiKey := ca.issue(t, dir, apiServerClient)
	port := freePort(t)
	hostPort := fmt.Sprintf("127.0.0.1:%d", port)
	admissionConfig := writeAdmissionConfig(t, dir, hostPort, apiCert, apiKey)

	s := &suite{cp: testutil.StartControlPlane(t, func(env *envtest.Environment) {
		wio := &env.WebhookInstallOptions
		wio.LocalServingHost, wio.LocalServingPort = "127.0.0.1", port
		wio.MutatingWebhooks = append(wio.MutatingWebhooks, config.Mutating(config.Options{}))
		wio.ValidatingWebhooks = append(wio.ValidatingWebhooks, config.Validating(config.Options{}))
	}, testutil.WithAPIServerFlag("admission-control-config-file", admissionConfig))}
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s.store = st
	wio := s.cp.Env.WebhookInstallOptions
	srv, err := certs.NewServer(crwebhook.Options{Host: wio.LocalServingHost, Port: wio.LocalServingPort, CertDir: wio.LocalServingCertDir},
		certs.ClientAuth{CAFile: caFile, Names: []string{apiServerClient}})
	if err != nil {
		t.Fatal(err)
	}
	s.startManagerWith(t, Options{NoAnnotator: true}, srv, nil)
	s.applyBatch(t, "story/baseline.yaml")
	k := kubectl{t: t, cp: s.cp}
	k.run(nil, "apply", "-f", "testdata/story/cluster.yaml")
	s.waitForCache(t, 5)

	t.Run("the API server's calls are answered", func(t *testing.T) {
		k.run(nil, "apply", "-f", "testdata/story/javaapp.yaml")
		out, _ := k.run(nil, "get", "deployment", "-n", storyNS, "example-java-app-javaapp", "-o", "jsonpath={.metadata.annotations}")
		if !strings.Contains(out, advice.StatusAnnotation) {
			t.Errorf("the mutating webhook did not annotate javaapp through the client-certificate connection: %s", out)
		}
		_, stderr := k.run(nil, "apply", "--dry-run=server", "-f", "testdata/story/handwritten.yaml")
		assertStoryWarnings(t, stderr)
	})

	review := forgedReview(t)
	url := "https://" + hostPort + config.ValidatePath
	stranger, strangerKey := ca.issue(t, dir, "some-pod")
	other := newTestCA(t)
	forgedCert, forgedKey := other.issue(t, dir, apiServerClient)
	for _, tt := range []struct {
		name      string
		cert, key string
	}{
		{name: "no client certificate"},
		{name: "the CA's certificate for another name", cert: stranger, key: strangerKey},
		{name: "the right name from another CA", cert: forgedCert, key: forgedKey},
	} {
		t.Run("a forged AdmissionReview with "+tt.name+" is refused", func(t *testing.T) {
			status, body, err := postReview(t, url, wio.LocalServingCAData, tt.cert, tt.key, review)
			if err == nil && status != http.StatusForbidden {
				t.Fatalf("answered %d: %s", status, body)
			}
			for _, leak := range []string{"203.0.113.7", "cassandra", "DNS"} {
				if strings.Contains(body, leak) {
					t.Errorf("the refusal reveals %q: %s", leak, body)
				}
			}
		})
	}
	t.Run("the mutating webhook refuses a caller without a certificate too", func(t *testing.T) {
		status, body, err := postReview(t, "https://"+hostPort+config.MutatePath, wio.LocalServingCAData, "", "", review)
		if err == nil && status != http.StatusForbidden {
			t.Fatalf("answered %d: %s", status, body)
		}
	})
	// The control: the same review with the API server's certificate reads
	// the flows, which is what the refusals above keep from a pod.
	status, body, err := postReview(t, url, wio.LocalServingCAData, apiCert, apiKey, review)
	if err != nil || status != http.StatusOK || !strings.Contains(body, "cassandra") {
		t.Fatalf("with the API server's certificate: status %d, err %v, body %s", status, err, body)
	}
}

// writeAdmissionConfig writes the kube-apiserver AdmissionConfiguration
// of SECURITY.md: both webhook plugins read a kubeconfig whose user named
// after the webhook's host presents the client certificate.
func writeAdmissionConfig(t *testing.T, dir, host, cert, key string) string {
	t.Helper()
	kubeconfig := filepath.Join(dir, "webhook-kubeconfig.yaml")
	testutil.WriteFile(t, kubeconfig, fmt.Appendf(nil, `apiVersion: v1
kind: Config
users:
- name: %q
  user:
    client-certificate: %s
    client-key: %s
`, host, cert, key))
	plugin := func(name string) string {
		return fmt.Sprintf(`- name: %s
  configuration:
    apiVersion: apiserver.config.k8s.io/v1
    kind: WebhookAdmissionConfiguration
    kubeConfigFile: %s
`, name, kubeconfig)
	}
	path := filepath.Join(dir, "admission-config.yaml")
	testutil.WriteFile(t, path, []byte("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n"+
		plugin("ValidatingAdmissionWebhook")+plugin("MutatingAdmissionWebhook")))
	return path
}

// forgedReview is what a pod would post: the story's hand-written policy
// as a create request, to read javaapp's flows from the warnings.
func forgedReview(t *testing.T) []byte {
	t.Helper()
	obj, err := yaml.YAMLToJSON(mustRead(t, "testdata/story/handwritten.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{UID: "forged", Operation: admissionv1.Create, Namespace: storyNS, Name: "javaapp",
			Kind:     metav1.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"},
			Resource: metav1.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"},
			Object:   runtime.RawExtension{Raw: obj}},
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// postReview posts body to url trusting serverCA, with the client
// certificate cert/key when given.
func postReview(t *testing.T, url string, serverCA []byte, cert, key string, body []byte) (int, string, error) {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(serverCA) {
		t.Fatal("no serving CA")
	}
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	tr := &http.Transport{TLSClientConfig: cfg}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// testCA signs client certificates.
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test webhook client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue writes a client certificate for cn and its key into dir.
func (ca *testCA) issue(t *testing.T, dir, cn string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, fmt.Sprintf("%s-%x", cn, serial))
	certFile, keyFile = base+".crt", base+".key"
	testutil.WriteFile(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	testutil.WriteFile(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
	if _, err := os.Stat(certFile); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
