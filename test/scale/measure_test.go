package scale

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// proposal i is a NetworkPolicy a team might apply: half select one
// workload, half a whole namespace; each allows egress to one namespace on
// one port, so most observed flows would be blocked.
func (w *world) proposal(i int) *networkingv1.NetworkPolicy {
	wl := w.workloads[(i*37)%(len(w.workloads)-daemonSets)]
	sel := map[string]string{"app.kubernetes.io/name": wl.ref.Name}
	if i%2 == 1 {
		sel = nil
	}
	port := intstr.FromInt32(5432)
	return &networkingv1.NetworkPolicy{TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Namespace: wl.ref.Namespace, Name: fmt.Sprintf("proposed-%d", i)},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: sel},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: &port}},
				To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": w.namespaces[0]}}}}}}}}
}

// dryRuns times n NetworkPolicy dry-run creates through the API server,
// which calls the validating webhook for each; bare times the same creates,
// alternating, in the product's namespace, which the webhook skips: the API
// server's own share.
func (w *world) dryRuns(tb testing.TB, cs kubernetes.Interface, n int) (times, bare []time.Duration) {
	for i := range n {
		np := w.proposal(i)
		times = append(times, dryRun(tb, cs, np))
		np.Namespace = productNS
		bare = append(bare, dryRun(tb, cs, np))
	}
	return times, bare
}

func dryRun(tb testing.TB, cs kubernetes.Interface, np *networkingv1.NetworkPolicy) time.Duration {
	start := time.Now()
	_, err := cs.NetworkingV1().NetworkPolicies(np.Namespace).Create(context.Background(), np, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		tb.Fatalf("dry-run create in %s: %v", np.Namespace, err)
	}
	return time.Since(start)
}

// direct times n reviews sent straight to the webhook server, as the API
// server sends them, without the API server's share.
func (w *world) direct(tb testing.TB, c client.Client, s *server, n int) []time.Duration {
	hc := webhookClient(tb, c)
	url := fmt.Sprintf("https://127.0.0.1:%d%s", s.webhookPort, config.ValidatePath)
	var out []time.Duration
	for i := range n {
		np := w.proposal(i)
		body := reviewBody(tb, np)
		start := time.Now()
		resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			tb.Fatalf("post a review to the webhook: %v", err)
		}
		var ar admissionv1.AdmissionReview
		err = json.NewDecoder(resp.Body).Decode(&ar)
		resp.Body.Close()
		out = append(out, time.Since(start))
		if err != nil || ar.Response == nil || !ar.Response.Allowed {
			tb.Fatalf("webhook review %d: %v %+v", i, err, ar.Response)
		}
	}
	return out
}

// webhookClient trusts the CA the server patched into its configuration.
func webhookClient(tb testing.TB, c client.Client) *http.Client {
	var v admissionregistrationv1.ValidatingWebhookConfiguration
	if err := c.Get(context.Background(), client.ObjectKey{Name: config.Name}, &v); err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	if len(v.Webhooks) == 0 || !pool.AppendCertsFromPEM(v.Webhooks[0].ClientConfig.CABundle) {
		tb.Fatal("the validating webhook configuration has no caBundle")
	}
	tc := &tls.Config{RootCAs: pool, ServerName: webhookService + "." + productNS + ".svc", MinVersion: tls.VersionTLS12}
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: tc}}
}

func reviewBody(tb testing.TB, np *networkingv1.NetworkPolicy) []byte {
	raw, err := json.Marshal(np)
	if err != nil {
		tb.Fatal(err)
	}
	ar := admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{UID: types.UID(np.Name), Operation: admissionv1.Create, Namespace: np.Namespace,
			Kind:   metav1.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"},
			Object: runtime.RawExtension{Raw: raw}}}
	body, err := json.Marshal(ar)
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// topologies times n reads of a namespace's topologies through the API
// server (the aggregated API), namespaces in turn.
func (w *world) topologies(tb testing.TB, cs kubernetes.Interface, n int) []time.Duration {
	var out []time.Duration
	for i := range n {
		ns := w.namespaces[i%len(w.namespaces)]
		start := time.Now()
		raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/apis/netpol-advisor.io/v1alpha1/namespaces", ns, "topologies").DoRaw(context.Background())
		out = append(out, time.Since(start))
		if err != nil {
			tb.Fatalf("read the topologies of %s: %v", ns, err)
		}
		if !bytes.Contains(raw, []byte(`"items"`)) {
			tb.Fatalf("the topologies of %s are no list: %.200s", ns, raw)
		}
	}
	return out
}

func p99(d []time.Duration) time.Duration { return quantile(d, 0.99) }

// quantile is the q-th quantile of d, the value at that rank.
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*q))]
}
