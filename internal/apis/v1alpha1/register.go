package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupName is the API group of the aggregated API.
const GroupName = "netpol-advisor.io"

// SchemeGroupVersion is the served version.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1alpha1"}

// internalVersion is where the generic API server looks for the internal
// form of each type; the same Go types serve, so nothing converts.
var internalVersion = schema.GroupVersion{Group: GroupName, Version: runtime.APIVersionInternal}

// Resource names a resource of the group.
func Resource(name string) schema.GroupResource {
	return SchemeGroupVersion.WithResource(name).GroupResource()
}

// AddToScheme registers the types under the internal and served versions.
func AddToScheme(s *runtime.Scheme) error {
	objs := []runtime.Object{&Baseline{}, &BaselineList{}, &Recommendation{}, &RecommendationList{},
		&Topology{}, &TopologyList{}, &RecommendationReview{}, &PolicyCheck{}, &ConnectionReview{}}
	s.AddKnownTypes(SchemeGroupVersion, objs...)
	s.AddKnownTypes(internalVersion, objs...)
	metav1.AddToGroupVersion(s, SchemeGroupVersion)
	return nil
}
