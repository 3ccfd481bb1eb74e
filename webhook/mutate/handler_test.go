package mutate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

type fakeRecommender struct {
	got policy.Workload
	ann advice.Annotations
	err error
}

func (f *fakeRecommender) Recommend(_ context.Context, w policy.Workload, _ map[string]string) (advice.Annotations, error) {
	f.got = w
	return f.ann, f.err
}

func deployment(annotations map[string]string) []byte {
	d := appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", Annotations: annotations},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "api"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}}}
	b, _ := json.Marshal(d)
	return b
}

var (
	t0       = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ready    = advice.Annotations{Policy: "kind: NetworkPolicy\n", Status: advice.Status{State: advice.Ready, Flows: 6, ComputedAt: t0}}
	learning = advice.Annotations{Status: advice.Status{State: advice.Learning, ComputedAt: t0}}
)

// apply runs the handler and applies its patch to the object, as the API
// server does.
func apply(t *testing.T, h *Handler, op admissionv1.Operation, obj []byte) (admission.Response, *appsv1.Deployment) {
	t.Helper()
	req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{UID: "u", Operation: op, Namespace: "shop", Object: runtime.RawExtension{Raw: obj}}}
	resp := h.Handle(context.Background(), req)
	if err := resp.Complete(req); err != nil {
		t.Fatal(err)
	}
	out := obj
	if resp.Patch != nil {
		p, err := jsonpatch.DecodePatch(resp.Patch)
		if err != nil {
			t.Fatalf("decode patch %s: %v", resp.Patch, err)
		}
		if out, err = p.Apply(obj); err != nil {
			t.Fatalf("apply patch %s: %v", resp.Patch, err)
		}
	}
	var d appsv1.Deployment
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	return resp, &d
}

func TestHandleAnnotatesOnlyMetadata(t *testing.T) {
	tests := []struct {
		name    string
		before  map[string]string
		ann     advice.Annotations
		wantPol bool
		noPatch bool
	}{
		{name: "no annotations yet", ann: ready, wantPol: true},
		{name: "keeps the user's", before: map[string]string{"team": "a", "x/y~z": "1"}, ann: ready, wantPol: true},
		{name: "learning removes a stale policy", before: map[string]string{advice.PolicyAnnotation: "old"}, ann: learning},
		{name: "current: no patch, even if computed earlier", ann: ready, wantPol: true, noPatch: true,
			before: map[string]string{advice.PolicyAnnotation: ready.Policy, advice.StatusAnnotation: `{"state":"ready","window":{},"flows":6,"computedAt":"2026-11-24T00:00:00Z"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := deployment(tt.before)
			resp, got := apply(t, &Handler{Recommender: &fakeRecommender{ann: tt.ann}}, admissionv1.Create, obj)
			if !resp.Allowed {
				t.Fatalf("denied: %+v", resp.Result)
			}
			for _, p := range resp.Patches {
				if !strings.HasPrefix(p.Path, "/metadata/annotations") {
					t.Errorf("patch touches %s", p.Path)
				}
			}
			if tt.noPatch != (len(resp.Patches) == 0) {
				t.Errorf("patches = %v, want none: %v", resp.Patches, tt.noPatch)
			}
			for k, v := range tt.before {
				if k != advice.PolicyAnnotation && k != advice.StatusAnnotation && got.Annotations[k] != v {
					t.Errorf("annotation %s = %q, want %q kept", k, got.Annotations[k], v)
				}
			}
			if _, has := got.Annotations[advice.PolicyAnnotation]; has != tt.wantPol {
				t.Errorf("policy annotation present = %v, want %v", has, tt.wantPol)
			}
			if st, err := advice.ParseStatus(got.Annotations[advice.StatusAnnotation]); err != nil || st.State != tt.ann.Status.State {
				t.Errorf("status = %+v, %v; want state %s", st, err, tt.ann.Status.State)
			}
		})
	}
}

func TestHandleNeverDenies(t *testing.T) {
	h := &Handler{Recommender: &fakeRecommender{err: errors.New("store down")}}
	resp, got := apply(t, h, admissionv1.Update, deployment(nil))
	if !resp.Allowed || len(resp.Patches) != 0 || len(got.Annotations) != 0 {
		t.Errorf("on error: allowed %v, patches %v; want allowed unannotated", resp.Allowed, resp.Patches)
	}
	resp, _ = apply(t, h, admissionv1.Delete, deployment(nil))
	if !resp.Allowed {
		t.Error("delete denied")
	}
	unnamed := strings.Replace(string(deployment(nil)), `"name":"api",`, `"generateName":"api-",`, 1)
	if resp, _ = apply(t, &Handler{Recommender: &fakeRecommender{ann: ready}}, admissionv1.Create, []byte(unnamed)); !resp.Allowed || len(resp.Patches) != 0 {
		t.Errorf("generateName: allowed %v, patches %v; want allowed unannotated", resp.Allowed, resp.Patches)
	}
	fr := &fakeRecommender{ann: learning}
	apply(t, &Handler{Recommender: fr}, admissionv1.Create, deployment(nil))
	if fr.got.Ref.String() != "shop/Deployment/api" || fr.got.Labels["app"] != "api" {
		t.Errorf("workload = %+v, want shop/Deployment/api with its template labels", fr.got)
	}
}

// TestHandleWarnsOfMalformedAdjustments: kubectl apply of a Deployment whose
// adjustments annotation does not parse admits it and says why the
// adjustments are ignored, whether or not the annotations change.
func TestHandleWarnsOfMalformedAdjustments(t *testing.T) {
	bad := map[string]string{adjust.Annotation: "allow: [{cidr: not-a-cidr}]"}
	current := map[string]string{adjust.Annotation: bad[adjust.Annotation], advice.PolicyAnnotation: ready.Policy,
		advice.StatusAnnotation: `{"state":"ready","window":{},"flows":6,"computedAt":"2026-11-24T00:00:00Z"}`}
	for name, before := range map[string]map[string]string{"annotated": bad, "already current": current} {
		t.Run(name, func(t *testing.T) {
			resp, _ := apply(t, &Handler{Recommender: &fakeRecommender{ann: ready}}, admissionv1.Update, deployment(before))
			if !resp.Allowed {
				t.Fatalf("denied: %+v", resp.Result)
			}
			if len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], adjust.Annotation) {
				t.Errorf("warnings = %q, want one naming %s", resp.Warnings, adjust.Annotation)
			}
		})
	}
	resp, _ := apply(t, &Handler{Recommender: &fakeRecommender{ann: ready}}, admissionv1.Update, deployment(nil))
	if len(resp.Warnings) != 0 {
		t.Errorf("warnings without adjustments: %q", resp.Warnings)
	}
}
