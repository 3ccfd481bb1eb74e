package mutate

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// Recommender computes a workload's annotations (advice.Advisor has it).
type Recommender interface {
	Recommend(ctx context.Context, w policy.Workload, annotations map[string]string) (advice.Annotations, error)
}

var _ Recommender = (*advice.Advisor)(nil)

// Handler is the Deployment admission handler.
type Handler struct {
	Recommender Recommender
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
	dep, err := decodeDeployment(req.Object)
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if dep.Name == "" {
		// generateName: the name is chosen after mutating admission; the
		// annotator annotates the Deployment once it exists.
		return admission.Allowed("name not chosen yet")
	}
	w := inventory.FromTemplate(flow.WorkloadRef{Namespace: req.Namespace, Kind: flow.KindDeployment, Name: dep.Name}, &dep.Spec.Template)
	warnings := adjustmentsWarnings(req.Namespace, dep.Annotations)
	ann, err := h.Recommender.Recommend(ctx, w, dep.Annotations)
	if err == nil {
		var resp admission.Response
		if resp, err = patchResponse(dep.Annotations, ann); err == nil {
			return resp.WithWarnings(warnings...)
		}
	}
	log.FromContext(ctx).Error(err, "recommend a policy; admitting the deployment unannotated", "deployment", w.Ref.String())
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

func decodeDeployment(raw runtime.RawExtension) (*appsv1.Deployment, error) {
	if len(raw.Raw) == 0 {
		return nil, fmt.Errorf("request has no object")
	}
	dep := &appsv1.Deployment{}
	if err := decoder.DecodeRaw(raw, dep); err != nil {
		return nil, fmt.Errorf("decode object as a Deployment: %w", err)
	}
	if gvk := dep.GroupVersionKind(); gvk.Kind != "Deployment" || gvk.Group != appsv1.GroupName {
		return nil, fmt.Errorf("object is a %s, not an apps Deployment", gvk)
	}
	return dep, nil
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
