package apiserver

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// fieldWindow, fieldSince and fieldUntil are the field selectors that choose
// a list's time window: window=3h (the last three hours), since= and
// until= (RFC 3339).
const (
	fieldWindow = "window"
	fieldSince  = "since"
	fieldUntil  = "until"
)

// newScheme registers the group's types, the meta types every API server
// serves, and the field selectors the lists accept.
func newScheme() (*runtime.Scheme, serializer.CodecFactory, error) {
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, serializer.CodecFactory{}, err
	}
	unversioned := schema.GroupVersion{Group: "", Version: "v1"}
	metav1.AddToGroupVersion(s, unversioned)
	s.AddUnversionedTypes(unversioned, &metav1.Status{}, &metav1.APIVersions{}, &metav1.APIGroupList{},
		&metav1.APIGroup{}, &metav1.APIResourceList{})
	for _, kind := range []string{"Baseline", "Recommendation", "Topology"} {
		gvk := v1alpha1.SchemeGroupVersion.WithKind(kind)
		if err := s.AddFieldLabelConversionFunc(gvk, fieldLabel); err != nil {
			return nil, serializer.CodecFactory{}, err
		}
	}
	return s, serializer.NewCodecFactory(s), nil
}

// fieldLabel accepts the window selectors besides metadata.name and
// metadata.namespace.
func fieldLabel(label, value string) (string, string, error) {
	switch label {
	case fieldWindow, fieldSince, fieldUntil, "metadata.name", "metadata.namespace":
		return label, value, nil
	}
	return "", "", fmt.Errorf("field selector %q is not supported: use window=3h, since=<RFC 3339>, until=<RFC 3339> or metadata.name", label)
}
