package mutate

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// decoder decodes apps/v1 objects only.
var decoder = admission.NewDecoder(newScheme())

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := appsv1.AddToScheme(s); err != nil {
		panic(err) // a registration of static types cannot fail
	}
	return s
}
