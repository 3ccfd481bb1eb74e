package annotator

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// apply writes the two annotations by server-side apply of an object that
// carries nothing else: the annotator's field manager owns those two keys
// and no other field. Forcing is safe as only the product writes these
// keys; the mutating webhook's writes are credited to the user's manager,
// whose ownership of the keys the apply takes over when the values differ.
func (r *kindReconciler) apply(ctx context.Context, obj client.Object, ann advice.Annotations) error {
	m, err := ann.Map()
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(r.kind.GVK)
	u.SetNamespace(obj.GetNamespace())
	u.SetName(obj.GetName())
	u.SetAnnotations(m)
	err = r.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(r.fieldManager()), client.ForceOwnership)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("annotate %s %s/%s: %w", r.kind.Kind, obj.GetNamespace(), obj.GetName(), err)
	}
	if _, want := m[advice.PolicyAnnotation]; want {
		return nil
	}
	if old, still := u.GetAnnotations()[advice.PolicyAnnotation]; still {
		return r.remove(ctx, obj, old)
	}
	return nil
}

// remove deletes the policy annotation that the apply could not, because
// another manager shares it (the mutating webhook wrote it during the
// user's request). The patch names that one key and tests its value, so a
// newer value is never removed blind.
func (r *kindReconciler) remove(ctx context.Context, obj client.Object, old string) error {
	path := "/metadata/annotations/" + strings.ReplaceAll(strings.ReplaceAll(advice.PolicyAnnotation, "~", "~0"), "/", "~1")
	patch, err := json.Marshal([]map[string]any{{"op": "test", "path": path, "value": old}, {"op": "remove", "path": path}})
	if err != nil {
		return fmt.Errorf("encode annotation removal: %w", err)
	}
	err = r.Client.Patch(ctx, obj, client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(r.fieldManager()))
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove %s from %s %s/%s: %w", advice.PolicyAnnotation, r.kind.Kind, obj.GetNamespace(), obj.GetName(), err)
	}
	return nil
}
