package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/internal/fixture"
	"github.com/netpol-advisor/netpol-advisor/webhook/mutate"
	"github.com/netpol-advisor/netpol-advisor/webhook/validate"
)

// benchSize is the scale: 1,000 workloads (50 namespaces × 20) with
// 50 edges each (50k), and one NetworkPolicy each (1,000).
const benchNamespaces, benchPerNamespace, benchEdges = 50, 20, 50

// benchAdvisor is the synthetic cluster with its baselines in a real Badger
// store on disk.
func benchAdvisor(b *testing.B) (*advice.Advisor, *fixture.Synthetic) {
	syn := fixture.NewSynthetic(benchNamespaces, benchPerNamespace, benchEdges)
	st, err := badgerstore.Open(b.TempDir(), badgerstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	fillStore(b, st, syn)
	return &advice.Advisor{Baselines: st, Inventory: fixture.Static{S: syn.Snapshot}}, syn
}

func fillStore(b testing.TB, st *badgerstore.Store, syn *fixture.Synthetic) {
	var batch []flow.Flow
	seq := uint64(0)
	for _, ref := range syn.Refs {
		batch = append(batch, syn.Baselines[ref].Flows...)
		if len(batch) >= 5000 || ref == syn.Refs[len(syn.Refs)-1] {
			seq++
			if _, err := st.Apply(context.Background(), store.Batch{Observer: "bench", Seq: seq, Flows: batch}); err != nil {
				b.Fatal(err)
			}
			batch = nil
		}
	}
}

// proposal i: half select one workload, half a whole namespace (20
// workloads); each allows egress to team t1 on 5432 only, so most observed
// flows would be blocked and the warnings are capped.
func proposal(syn *fixture.Synthetic, i int) *networkingv1.NetworkPolicy {
	ref := syn.Refs[(i*37)%len(syn.Refs)]
	sel := map[string]string{"app": ref.Name}
	if i%2 == 1 {
		sel = nil
	}
	port := intstr.FromInt32(5432)
	return &networkingv1.NetworkPolicy{TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: fmt.Sprintf("proposed-%d", i)},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: sel},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: &port}},
				To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "t1"}}}}}}}}
}

func reviewBody(b testing.TB, ns string, op admissionv1.Operation, obj any) []byte {
	raw, err := json.Marshal(obj)
	if err != nil {
		b.Fatal(err)
	}
	ar := admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{UID: types.UID("bench"), Operation: op, Namespace: ns, Object: runtime.RawExtension{Raw: raw}}}
	body, err := json.Marshal(ar)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// serve times one review through the admission HTTP handler, as the
// webhook server runs it (decode, handle, encode).
func serve(b *testing.B, h http.Handler, body []byte) time.Duration {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	took := time.Since(start)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return took
}

// BenchmarkValidateHandler: p99 of one NetworkPolicy review in-process
// (goal: <= 5 ms), every baseline read from the store.
func BenchmarkValidateHandler(b *testing.B) {
	benchValidate(b, 0)
}

// BenchmarkValidateHandlerBaselineTTL: the same with the server's default
// baseline TTL (5 s), as in a burst of applies.
func BenchmarkValidateHandlerBaselineTTL(b *testing.B) {
	benchValidate(b, 5*time.Second)
}

// BenchmarkValidateHandlerFullScan: BenchmarkValidateHandler with the
// store's by-peer index hidden, so each review reads every baseline to find
// the flows to the touched workloads, as before the index (issue 17).
func BenchmarkValidateHandlerFullScan(b *testing.B) {
	benchValidate(b, 0, func(adv *advice.Advisor) { adv.Baselines = fullScan{adv.Baselines} })
}

// fullScan is a baseline reader without the by-peer index.
type fullScan struct{ advice.Baselines }

func (f fullScan) Namespace(ctx context.Context, ns string, win flow.Window) ([]flow.Baseline, error) {
	return f.Baselines.(advice.PeerBaselines).Namespace(ctx, ns, win)
}

func benchValidate(b *testing.B, ttl time.Duration, opts ...func(*advice.Advisor)) {
	adv, syn := benchAdvisor(b)
	adv.BaselineTTL = ttl
	for _, o := range opts {
		o(adv)
	}
	h := hook("validate", &validate.Handler{Checker: adv}, nil)
	bodies := make([][]byte, 64)
	for i := range bodies {
		np := proposal(syn, i)
		bodies[i] = reviewBody(b, np.Namespace, admissionv1.Create, np)
	}
	var times []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		times = append(times, serve(b, h, bodies[i%len(bodies)]))
	}
	reportPercentiles(b, times)
}

// BenchmarkMutateHandler: p99 of one Deployment review in-process.
func BenchmarkMutateHandler(b *testing.B) {
	adv, syn := benchAdvisor(b)
	h := hook("mutate", &mutate.Handler{Recommender: adv}, nil)
	bodies := make([][]byte, 64)
	for i := range bodies {
		ref := syn.Refs[(i*37)%len(syn.Refs)]
		w := syn.Snapshot.Cluster.Workloads[ref]
		d := appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name}}
		d.Spec.Template.Labels = w.Labels
		bodies[i] = reviewBody(b, ref.Namespace, admissionv1.Create, d)
	}
	var times []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		times = append(times, serve(b, h, bodies[i%len(bodies)]))
	}
	reportPercentiles(b, times)
}

func reportPercentiles(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	at := func(q float64) float64 {
		return float64(times[min(len(times)-1, int(q*float64(len(times))))].Microseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(len(times)), "reviews")
}
