package workloads

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Scope is the namespaces whose workloads the product annotates.
type Scope struct {
	// Skip is the product's own namespace, never annotated.
	Skip string
	// Selector selects namespaces by their labels; nil selects all.
	Selector *metav1.LabelSelector
	// Namespaces reads Namespace objects (the manager's cache).
	Namespaces client.Reader
	// Live, when set, is asked when Namespaces does not know a namespace:
	// one created together with its workloads (kubectl apply of a
	// directory) may not have reached the cache when they are admitted.
	Live client.Reader
}

// Includes reports whether workloads in namespace ns are annotated. A
// namespace that does not exist (any more) is not.
func (s Scope) Includes(ctx context.Context, ns string) (bool, error) {
	if ns == s.Skip {
		return false, nil
	}
	if s.Selector == nil || (len(s.Selector.MatchLabels) == 0 && len(s.Selector.MatchExpressions) == 0) {
		return true, nil
	}
	var obj corev1.Namespace
	err := s.Namespaces.Get(ctx, client.ObjectKey{Name: ns}, &obj)
	if apierrors.IsNotFound(err) && s.Live != nil {
		err = s.Live.Get(ctx, client.ObjectKey{Name: ns}, &obj)
	}
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get namespace %s: %w", ns, err)
	}
	return s.Matches(obj.Labels)
}

// Matches reports whether a namespace with these labels is in scope (the
// product's own namespace aside).
func (s Scope) Matches(l map[string]string) (bool, error) {
	if s.Selector == nil {
		return true, nil
	}
	sel, err := metav1.LabelSelectorAsSelector(s.Selector)
	if err != nil {
		return false, fmt.Errorf("annotate namespace selector: %w", err)
	}
	return sel.Matches(labels.Set(l)), nil
}
