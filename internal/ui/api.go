package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// maxBody bounds what the page may post.
const maxBody = 1 << 20

// namespaceList is what the namespace chooser offers.
type namespaceList struct {
	Namespaces []string `json:"namespaces"`
	// Default is the kubeconfig context's namespace.
	Default string `json:"default"`
	// Note says why the list is partial, when it is.
	Note string `json:"note,omitempty"`
}

func (s *Server) namespaces(w http.ResponseWriter, r *http.Request) {
	out := namespaceList{Namespaces: []string{}, Default: s.cfg.Namespace}
	list, err := s.kube.CoreV1().Namespaces().List(r.Context(), metav1.ListOptions{})
	switch {
	case err == nil:
		for _, n := range list.Items {
			out.Namespaces = append(out.Namespaces, n.Name)
		}
	case apierrors.IsForbidden(err):
		out.Note = "you may not list namespaces; type the namespace's name"
	default:
		writeError(w, err)
		return
	}
	if out.Default != "" && !slices.Contains(out.Namespaces, out.Default) {
		out.Namespaces = append(out.Namespaces, out.Default)
	}
	slices.Sort(out.Namespaces)
	writeJSON(w, out)
}

func (s *Server) baselines(w http.ResponseWriter, r *http.Request) {
	s.list(w, r, "baselines")
}

// list passes a list of the aggregated API through, read as the user.
func (s *Server) list(w http.ResponseWriter, r *http.Request, resource string) {
	ns, ok := namespace(w, r)
	if !ok {
		return
	}
	sel, err := windowSelector(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	raw, err := s.api.Get().Namespace(ns).Resource(resource).Param("fieldSelector", sel).Do(r.Context()).Raw()
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}

// windowSelector is the field selector of ?window= and ?since=.
func windowSelector(r *http.Request) (string, error) {
	set := fields.Set{}
	if v := r.URL.Query().Get("window"); v != "" {
		if d, err := time.ParseDuration(v); err != nil || d <= 0 {
			return "", fmt.Errorf("window %q: want a duration such as 3h", v)
		}
		set["window"] = v
	}
	if v := r.URL.Query().Get("since"); v != "" {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return "", fmt.Errorf("since %q: want an RFC 3339 time such as 2026-11-30T09:00:00Z", v)
		}
		set["since"] = v
	}
	return set.AsSelector().String(), nil
}

// recommendationRequest is what the page asks: the workload's
// recommendation with the page's adjustments, its complete proposal, in
// place of the stored ones (a stored decision the person undid shows before
// it is saved).
type recommendationRequest struct {
	Workload    v1alpha1.WorkloadReference `json:"workload"`
	Window      string                     `json:"window,omitempty"`
	Adjustments v1alpha1.Adjustments       `json:"adjustments"`
}

type recommendationAnswer struct {
	Recommendation v1alpha1.Recommendation `json:"recommendation"`
	// YAML is the policy as netpol-advisor generate prints it.
	YAML string `json:"yaml"`
}

func (s *Server) recommendation(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, r)
	if !ok {
		return
	}
	var req recommendationRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Window != "" {
		if _, err := time.ParseDuration(req.Window); err != nil {
			http.Error(w, fmt.Sprintf("window %q: want a duration such as 3h", req.Window), http.StatusBadRequest)
			return
		}
	}
	rv := &v1alpha1.RecommendationReview{Spec: v1alpha1.RecommendationReviewSpec{Workload: req.Workload, Window: req.Window, Adjustments: req.Adjustments,
		Mode: v1alpha1.AdjustmentsReplace}}
	rv.Kind, rv.APIVersion = "RecommendationReview", v1alpha1.SchemeGroupVersion.String()
	if err := s.api.Post().Namespace(ns).Resource("recommendationreviews").Body(rv).Do(r.Context()).Into(rv); err != nil {
		writeError(w, err)
		return
	}
	out := recommendationAnswer{Recommendation: rv.Status}
	if rv.Status.Policy.Name != "" {
		b, err := yaml.Marshal(rv.Status.Policy)
		if err != nil {
			writeError(w, err)
			return
		}
		out.YAML = string(b)
	}
	writeJSON(w, out)
}

// checkAnswer is what the policies in force block of the observed traffic.
type checkAnswer struct {
	Policies []string                   `json:"policies"`
	Status   v1alpha1.PolicyCheckStatus `json:"status"`
}

// check lists the namespace's NetworkPolicies (with the user's rights) and
// asks the server's check what observed traffic each blocks.
func (s *Server) check(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, r)
	if !ok {
		return
	}
	list, err := s.kube.NetworkingV1().NetworkPolicies(ns).List(r.Context(), metav1.ListOptions{})
	if err != nil {
		writeError(w, err)
		return
	}
	out := checkAnswer{Policies: []string{}, Status: v1alpha1.PolicyCheckStatus{Results: []v1alpha1.PolicyCheckResult{}}}
	if len(list.Items) == 0 {
		writeJSON(w, out)
		return
	}
	pc := &v1alpha1.PolicyCheck{}
	pc.Kind, pc.APIVersion = "PolicyCheck", v1alpha1.SchemeGroupVersion.String()
	for _, p := range list.Items {
		out.Policies = append(out.Policies, p.Name)
		p.ObjectMeta = metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, Labels: p.Labels, Annotations: p.Annotations}
		pc.Spec.Policies = append(pc.Spec.Policies, p)
	}
	if err := s.api.Post().Namespace(ns).Resource("policychecks").Body(pc).Do(r.Context()).Into(pc); err != nil {
		writeError(w, err)
		return
	}
	out.Status = pc.Status
	writeJSON(w, out)
}

func namespace(w http.ResponseWriter, r *http.Request) (string, bool) {
	ns := r.PathValue("ns")
	if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
		http.Error(w, fmt.Sprintf("namespace %q: %s", ns, errs[0]), http.StatusBadRequest)
		return "", false
	}
	return ns, true
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		// A form post from another page cannot set this type without a
		// CORS preflight, which the guard's Origin check refuses.
		http.Error(w, "want Content-Type application/json", http.StatusUnsupportedMediaType)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, "bad request body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// writeError passes the API server's verdict on (403 stays 403, with its
// message), so the page can say what RBAC refused.
func writeError(w http.ResponseWriter, err error) {
	code := http.StatusBadGateway
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Code != 0 {
		code = int(status.Status().Code)
	}
	http.Error(w, err.Error(), code)
}
