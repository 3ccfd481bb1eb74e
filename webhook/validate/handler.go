package validate

import (
	"context"
	"fmt"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// Checker checks a NetworkPolicy change (advice.Advisor has it), writing
// the texts of the first shown findings.
type Checker interface {
	CheckShown(ctx context.Context, change policy.Change, shown int) (advice.Checked, error)
}

var _ Checker = (*advice.Advisor)(nil)

// Handler is the NetworkPolicy admission handler.
type Handler struct {
	Checker Checker
	// MaxWarnings caps the finding lines (default 10).
	MaxWarnings int
}

var _ admission.Handler = (*Handler)(nil)

// Handle implements admission.Handler.
func (h *Handler) Handle(ctx context.Context, req admission.Request) admission.Response {
	change, err := decodeChange(req)
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	max := h.MaxWarnings
	if max <= 0 {
		max = DefaultMaxWarnings
	}
	checked, err := h.Checker.CheckShown(ctx, change, max) // Warnings shows no more
	if err != nil {
		log.FromContext(ctx).Error(err, "check networkpolicy change; allowing it unchecked")
		return admission.Allowed("").WithWarnings("netpol-advisor could not check this change: " + err.Error())
	}
	warnings := Warnings(checked, max)
	if checked.Enforce && len(checked.Findings) > 0 {
		msg := fmt.Sprintf("%d observed flows would be blocked (namespace has %s=true)", len(checked.Findings), advice.EnforceLabel)
		return admission.Denied(msg).WithWarnings(warnings...)
	}
	return admission.Allowed("").WithWarnings(warnings...)
}

// decodeChange reads the policies of the review: the new one on create and
// update, the old one on update and delete.
func decodeChange(req admission.Request) (policy.Change, error) {
	ch := policy.Change{Operation: policy.Operation(req.Operation)}
	var err error
	switch req.Operation {
	case admissionv1.Create:
		ch.New, err = decode(req.Object, "object")
	case admissionv1.Update:
		if ch.New, err = decode(req.Object, "object"); err == nil {
			ch.Old, err = decode(req.OldObject, "oldObject")
		}
	case admissionv1.Delete:
		ch.Old, err = decode(req.OldObject, "oldObject")
	default:
		err = fmt.Errorf("operation %q is not create, update or delete", req.Operation)
	}
	for _, np := range []*networkingv1.NetworkPolicy{ch.Old, ch.New} {
		if np != nil && np.Namespace == "" {
			np.Namespace = req.Namespace
		}
	}
	return ch, err
}

func decode(raw runtime.RawExtension, field string) (*networkingv1.NetworkPolicy, error) {
	if len(raw.Raw) == 0 {
		return nil, fmt.Errorf("request has no %s", field)
	}
	np := &networkingv1.NetworkPolicy{}
	if err := decoder.DecodeRaw(raw, np); err != nil {
		return nil, fmt.Errorf("decode %s as a NetworkPolicy: %w", field, err)
	}
	if gvk := np.GroupVersionKind(); gvk.Kind != "NetworkPolicy" || gvk.Group != networkingv1.GroupName {
		return nil, fmt.Errorf("%s is a %s, not a networking.k8s.io NetworkPolicy", field, gvk)
	}
	return np, nil
}
