package webhook

import (
	"context"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

type panicking struct{}

func (panicking) Handle(context.Context, admission.Request) admission.Response { panic("bug") }

// TestHookFailsOpenOnPanic: a panicking handler must admit the object (with
// a warning), as failurePolicy Ignore would; an error response denies it.
func TestHookFailsOpenOnPanic(t *testing.T) {
	req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{UID: "u1", Operation: admissionv1.Create}}
	resp := hook("validate", panicking{}, nil).Handle(context.Background(), req)
	if !resp.Allowed {
		t.Fatalf("a handler panic denied the request: %+v", resp.Result)
	}
	if len(resp.Warnings) == 0 {
		t.Errorf("a handler panic admitted the request without a warning")
	}
	if resp.UID != req.UID {
		t.Errorf("response UID = %q, want %q", resp.UID, req.UID)
	}
}
