package mutate

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// Recommender computes a workload's annotations (advice.Advisor has it).
type Recommender interface {
	Recommend(ctx context.Context, w policy.Workload, annotations map[string]string) (advice.Annotations, error)
}

var _ Recommender = (*advice.Advisor)(nil)

// Scope says whether a namespace's workloads are annotated
// (workloads.Scope has it).
type Scope interface {
	Includes(ctx context.Context, namespace string) (bool, error)
}

var _ Scope = workloads.Scope{}

// Handler is the workload admission handler.
type Handler struct {
	Recommender Recommender
	// Scope, when set, limits annotation to some namespaces.
	Scope Scope
}

var _ admission.Handler = (*Handler)(nil)

// Handle implements admission.Handler.
func (h *Handler) Handle(ctx context.Context, req admission.Request) admission.Response {
	switch req.Operation {
	case admissionv1.Create, admissionv1.Update:
	case admissionv1.Delete, admissionv1.Connect:
		return admission.Allowed("nothing to annotate")
	default:
		return admission.Errored(http.StatusBadRequest, fmt.Errorf("unknown operation %q", req.Operation))
	}
	k, obj, err := decodeWorkload(req.Object)
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if obj.GetName() == "" {
		// generateName: the name is chosen after mutating admission; the
		// annotator annotates the object once it exists.
		return admission.Allowed("name not chosen yet")
	}
	if !workloads.IsTop(obj) {
		return admission.Allowed("not a workload: its controller carries the recommendation")
	}
	obj.SetNamespace(req.Namespace)
	if h.Scope != nil {
		in, err := h.Scope.Includes(ctx, req.Namespace)
		if err != nil || !in {
			if err != nil {
				log.FromContext(ctx).Error(err, "annotation scope; admitting unannotated", "namespace", req.Namespace)
			}
			return admission.Allowed("namespace not annotated")
		}
	}
	w := k.Workload(obj)
	warnings := adjustmentsWarnings(req.Namespace, obj.GetAnnotations())
	ann, err := h.Recommender.Recommend(ctx, w, obj.GetAnnotations())
	if err == nil {
		var resp admission.Response
		if resp, err = patchResponse(obj.GetAnnotations(), ann); err == nil {
			return resp.WithWarnings(warnings...)
		}
	}
	log.FromContext(ctx).Error(err, "recommend a policy; admitting the workload unannotated", "workload", w.Ref.String())
	return admission.Allowed("netpol-advisor could not compute a recommendation").WithWarnings(warnings...)
}

// adjustmentsWarnings tells the user applying the Deployment that its
// adjustments annotation is ignored, and why (one line).
func adjustmentsWarnings(ns string, annotations map[string]string) []string {
	if _, err := adjust.FromAnnotations(ns, annotations); err != nil {
		msg := strings.NewReplacer("\n", "; ", "\r", " ", "\t", " ").Replace(err.Error())
		return []string{"netpol-advisor: adjustments ignored until fixed: " + msg}
	}
	return nil
}

func patchResponse(current map[string]string, ann advice.Annotations) (admission.Response, error) {
	if ann.Current(current) {
		return admission.Allowed("annotations current"), nil
	}
	want, err := ann.Map()
	if err != nil {
		return admission.Response{}, err
	}
	ops := Patch(current, want, []string{advice.PolicyAnnotation, advice.StatusAnnotation})
	if len(ops) == 0 {
		return admission.Allowed("annotations current"), nil
	}
	return admission.Patched("annotated with the recommended policy", ops...), nil
}
