package webhook

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	ptu "github.com/prometheus/client_golang/prometheus/testutil"
	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

type answering admission.Response

func (a answering) Handle(context.Context, admission.Request) admission.Response {
	return admission.Response(a)
}

type findings []policy.Class

func (f findings) CheckShown(context.Context, policy.Change, int) (advice.Checked, error) {
	var out advice.Checked
	for _, c := range f {
		out.Findings = append(out.Findings, policy.Finding{Class: c, Flow: flow.Flow{}})
	}
	return out, nil
}

// Every review is timed and counted by outcome, panics included (admitted
// with a warning); warned findings count by class.
func TestReviewMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := NewMetrics(reg)
	req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{UID: "u", Operation: admissionv1.Create}}
	for _, h := range []admission.Handler{
		answering(admission.Allowed("")), answering(admission.Allowed("").WithWarnings("w")),
		answering(admission.Denied("no")), answering(admission.Errored(http.StatusBadRequest, context.Canceled)), panicking{},
	} {
		hook("validate", h, m).Handle(t.Context(), req)
	}
	got := map[string]float64{}
	for _, o := range []string{outcomeAllowed, outcomeWarned, outcomeDenied, outcomeErrored} {
		got[o] = ptu.ToFloat64(m.reviews.WithLabelValues("validate", o))
	}
	want := map[string]float64{outcomeAllowed: 1, outcomeWarned: 2, outcomeDenied: 1, outcomeErrored: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reviews by outcome (-want +got):\n%s", diff)
	}
	if n := ptu.CollectAndCount(m.duration); n != 2 {
		t.Errorf("%d duration series, want 2 (mutate, validate)", n)
	}
	c := m.checker(findings{policy.ClassDNS, policy.ClassDNS, policy.ClassExternal})
	if _, err := c.CheckShown(t.Context(), policy.Change{}, 0); err != nil {
		t.Fatal(err)
	}
	if dns, ext := ptu.ToFloat64(m.warnings.WithLabelValues("dns")), ptu.ToFloat64(m.warnings.WithLabelValues("external")); dns != 2 || ext != 1 {
		t.Errorf("warnings: dns %v, external %v; want 2 and 1", dns, ext)
	}
}
