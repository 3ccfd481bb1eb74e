package ui

import (
	"encoding/json"
	"fmt"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// fieldManager names the page's writes in the objects' managed fields.
const fieldManager = "netpol-advisor-ui"

// workloadResources are the API resources of the kinds whose adjustments
// can be stored.
var workloadResources = map[string]schema.GroupVersionResource{
	"Deployment":  {Group: "apps", Version: "v1", Resource: "deployments"},
	"StatefulSet": {Group: "apps", Version: "v1", Resource: "statefulsets"},
	"DaemonSet":   {Group: "apps", Version: "v1", Resource: "daemonsets"},
	"ReplicaSet":  {Group: "apps", Version: "v1", Resource: "replicasets"},
	"Job":         {Group: "batch", Version: "v1", Resource: "jobs"},
	"CronJob":     {Group: "batch", Version: "v1", Resource: "cronjobs"},
	"Pod":         {Version: "v1", Resource: "pods"},
}

// storedAdjustments are a workload's adjustments and the version of the
// object they were read from; a save names it so that it never overwrites
// a change made meanwhile (by the CLI, kubectl or another tab).
type storedAdjustments struct {
	Adjustments     v1alpha1.Adjustments `json:"adjustments"`
	ResourceVersion string               `json:"resourceVersion"`
}

func (s *Server) workload(w http.ResponseWriter, r *http.Request) (string, string, dynamic.ResourceInterface, bool) {
	ns, ok := namespace(w, r)
	if !ok {
		return "", "", nil, false
	}
	kind, ok := adjust.CanonicalKind(r.PathValue("kind"))
	gvr, known := workloadResources[string(kind)]
	if !ok || !known {
		http.Error(w, fmt.Sprintf("adjustments are stored on Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods, not on %q", r.PathValue("kind")), http.StatusBadRequest)
		return "", "", nil, false
	}
	return ns, string(kind), s.dyn.Resource(gvr).Namespace(ns), true
}

func (s *Server) getAdjustments(w http.ResponseWriter, r *http.Request) {
	ns, kind, res, ok := s.workload(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	obj, err := res.Get(r.Context(), name, metav1.GetOptions{})
	if err != nil {
		writeError(w, err)
		return
	}
	adj, err := adjust.FromAnnotations(ns, obj.GetAnnotations())
	if err != nil {
		http.Error(w, fmt.Sprintf("%s %s/%s: the stored adjustments do not parse (%v): fix or remove the annotation %s first",
			kind, ns, name, err, adjust.Annotation), http.StatusConflict)
		return
	}
	writeJSON(w, storedAdjustments{Adjustments: toAPI(adj), ResourceVersion: obj.GetResourceVersion()})
}

// putAdjustments replaces the stored adjustments with the page's, with the
// user's own right to patch the workload.
func (s *Server) putAdjustments(w http.ResponseWriter, r *http.Request) {
	ns, kind, res, ok := s.workload(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	var req storedAdjustments
	if !readJSON(w, r, &req) {
		return
	}
	adj, err := adjust.FromAPI(ns, req.Adjustments)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var value any // nil removes the annotation
	if len(adj.Allow)+len(adj.Exclude) > 0 {
		if value, err = adjust.Format(adj); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	meta := map[string]any{"annotations": map[string]any{adjust.Annotation: value}}
	if req.ResourceVersion != "" {
		meta["resourceVersion"] = req.ResourceVersion
	}
	patch, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		writeError(w, err)
		return
	}
	obj, err := res.Patch(r.Context(), name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: fieldManager})
	if err != nil {
		writeError(w, fmt.Errorf("save the adjustments on %s %s/%s: %w", kind, ns, name, err))
		return
	}
	writeJSON(w, storedAdjustments{Adjustments: toAPI(adj), ResourceVersion: obj.GetResourceVersion()})
}

// toAPI spells adjustments as the aggregated API does.
func toAPI(a policy.Adjustments) v1alpha1.Adjustments {
	out := v1alpha1.Adjustments{Allow: []v1alpha1.AllowCIDR{}, Exclude: []v1alpha1.Exclusion{}}
	for _, al := range a.Allow {
		out.Allow = append(out.Allow, v1alpha1.AllowCIDR{CIDR: al.CIDR.String(), Alias: al.Alias})
	}
	for _, ex := range a.Exclude {
		var e v1alpha1.Exclusion
		if ex.CIDR.IsValid() {
			e.CIDR = ex.CIDR.String()
		}
		if !ex.Workload.IsZero() {
			e.Workload = &v1alpha1.ExcludedWorkload{Namespace: ex.Workload.Namespace, Kind: string(ex.Workload.Kind), Name: ex.Workload.Name}
		}
		out.Exclude = append(out.Exclude, e)
	}
	return out
}
