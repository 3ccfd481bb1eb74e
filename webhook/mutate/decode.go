package mutate

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

// decodeWorkload decodes an admitted object of any workload kind, by the
// apiVersion and kind it declares (with matchPolicy Equivalent the API
// server converts it to the version the configuration names).
func decodeWorkload(raw runtime.RawExtension) (workloads.Kind, client.Object, error) {
	if len(raw.Raw) == 0 {
		return workloads.Kind{}, nil, fmt.Errorf("request has no object")
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(raw.Raw, &tm); err != nil {
		return workloads.Kind{}, nil, fmt.Errorf("decode object: %w", err)
	}
	gvk := tm.GroupVersionKind()
	k, ok := workloads.ByGVK(gvk)
	if !ok {
		return workloads.Kind{}, nil, fmt.Errorf("object is a %s, not a workload kind netpol-advisor annotates", gvk)
	}
	obj := k.New()
	if err := decoder.DecodeRaw(raw, obj); err != nil {
		return workloads.Kind{}, nil, fmt.Errorf("decode object as a %s: %w", gvk.Kind, err)
	}
	return k, obj, nil
}
