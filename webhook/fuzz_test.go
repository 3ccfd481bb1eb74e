package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/internal/fixture"
	"github.com/netpol-advisor/netpol-advisor/webhook/mutate"
	"github.com/netpol-advisor/netpol-advisor/webhook/validate"
)

// storyAdvisor is the story with its baseline in memory: fuzzing needs
// thousands of reviews a second.
func storyAdvisor(t testing.TB) *advice.Advisor {
	st, err := fixture.LoadStory("../internal/policy/testdata/story/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return &advice.Advisor{Baselines: fixture.Baselines{st.Baseline.Workload: st.Baseline},
		Inventory: fixture.Static{S: st.Snapshot}}
}

// fuzzReview sends body to h as the API server would and checks the answer:
// an AdmissionReview with a response, within a second, never a panic
// (panics are not recovered here, so the fuzzer sees them).
func fuzzReview(t *testing.T, h http.Handler, body []byte) admissionv1.AdmissionReview {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	if took := time.Since(start); took > time.Second {
		t.Fatalf("review took %s", took)
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(rec.Body.Bytes(), &ar); err != nil || ar.Response == nil {
		t.Fatalf("answer is not an AdmissionReview with a response (%v): %s", err, rec.Body)
	}
	var in admissionv1.AdmissionReview
	if json.Unmarshal(body, &in) != nil || in.Request == nil {
		if ar.Response.Allowed || ar.Response.Result == nil || ar.Response.Result.Code < 400 {
			t.Fatalf("malformed review answered %+v, want an error", ar.Response)
		}
	}
	return ar
}

func seedReviews(f *testing.F) {
	hand := readPolicyFile(f, "testdata/story/handwritten.yaml")
	for _, op := range []admissionv1.Operation{admissionv1.Create, admissionv1.Update, admissionv1.Delete} {
		f.Add(reviewBody(f, "example-java-app", op, hand))
	}
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","operation":"UPDATE","object":{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy"},"oldObject":null}}`))
}

func FuzzValidate(f *testing.F) {
	seedReviews(f)
	h := &admission.Webhook{Handler: &validate.Handler{Checker: storyAdvisor(f)}}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzReview(t, h, body)
	})
}

func FuzzMutate(f *testing.F) {
	seedReviews(f)
	f.Add(reviewBody(f, "example-java-app", admissionv1.Create, javaappDeployment(f)))
	// Every other workload kind, as the API server sends them.
	for _, doc := range strings.Split(string(mustRead(f, "testdata/kinds/workloads.yaml")), "\n---\n")[1:] {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			f.Fatal(err)
		}
		f.Add(reviewBody(f, "ledger", admissionv1.Update, obj))
	}
	h := &admission.Webhook{Handler: &mutate.Handler{Recommender: storyAdvisor(f)}}
	f.Fuzz(func(t *testing.T, body []byte) {
		ar := fuzzReview(t, h, body)
		if len(ar.Response.Patch) == 0 {
			return
		}
		var ops []struct{ Path string }
		if err := json.Unmarshal(ar.Response.Patch, &ops); err != nil {
			t.Fatalf("patch is not JSON: %v", err)
		}
		for _, op := range ops {
			if !strings.HasPrefix(op.Path, "/metadata/annotations") {
				t.Fatalf("patch touches %s", op.Path)
			}
		}
	})
}
