package validate

import (
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// decoder decodes networking.k8s.io/v1 objects only.
var decoder = admission.NewDecoder(newScheme())

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := networkingv1.AddToScheme(s); err != nil {
		panic(err) // a registration of static types cannot fail
	}
	return s
}
