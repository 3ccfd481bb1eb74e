package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// Handler serves the read API:
//
//	GET /v1/namespaces/{ns}/baselines
//	GET /v1/namespaces/{ns}/topology
//	GET /v1/namespaces/{ns}/workloads/{kind}/{name}/baseline
//	GET /v1/namespaces/{ns}/workloads/{kind}/{name}/topology
//
// with the window as since=3h or from=/to= (RFC 3339), and external=true to
// keep external peers in topologies. {ns} "_all" means every namespace.
type Handler struct {
	Auth   transport.Authenticator
	Authz  Authorizer
	Reader store.Reader
	Logger *slog.Logger
	Now    func() time.Time // time.Now when nil
}

// Routes registers the API on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/namespaces/{ns}/baselines", h.namespace(false))
	mux.HandleFunc("GET /v1/namespaces/{ns}/topology", h.namespace(true))
	mux.HandleFunc("GET /v1/namespaces/{ns}/workloads/{kind}/{name}/baseline", h.workload(false))
	mux.HandleFunc("GET /v1/namespaces/{ns}/workloads/{kind}/{name}/topology", h.workload(true))
}

func (h *Handler) namespace(topo bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, win, ok := h.prepare(w, r)
		if !ok {
			return
		}
		bls, err := h.Reader.Namespace(r.Context(), ns, win)
		if err != nil {
			h.fail(w, err)
			return
		}
		if topo {
			writeJSON(w, http.StatusOK, BuildTopology(win, bls, r.URL.Query().Get("external") == "true"))
			return
		}
		for i := range bls {
			bls[i] = sanitized(bls[i])
		}
		writeJSON(w, http.StatusOK, bls)
	}
}

func (h *Handler) workload(topo bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, win, ok := h.prepare(w, r)
		if !ok {
			return
		}
		if ns == "" {
			writeError(w, http.StatusBadRequest, "a workload needs a namespace, not _all")
			return
		}
		ref := flow.WorkloadRef{Namespace: ns, Kind: flow.Kind(r.PathValue("kind")), Name: r.PathValue("name")}
		b, err := h.Reader.Baseline(r.Context(), ref, win)
		if err != nil {
			h.fail(w, err)
			return
		}
		if topo {
			writeJSON(w, http.StatusOK, BuildTopology(win, []flow.Baseline{b}, r.URL.Query().Get("external") == "true"))
			return
		}
		writeJSON(w, http.StatusOK, sanitized(b))
	}
}

// prepare authenticates and authorises the caller for the path's namespace
// and parses the window; on failure it has answered.
func (h *Handler) prepare(w http.ResponseWriter, r *http.Request) (string, flow.Window, bool) {
	ns := r.PathValue("ns")
	if ns == "_all" {
		ns = ""
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="netpol-advisor"`)
		writeError(w, http.StatusUnauthorized, "a bearer token is required")
		return "", flow.Window{}, false
	}
	u, err := h.Auth.Authenticate(r.Context(), token)
	if errors.Is(err, transport.ErrUnauthenticated) {
		writeError(w, http.StatusUnauthorized, "the bearer token was not accepted by the API server")
		return "", flow.Window{}, false
	}
	if err == nil {
		var allowed bool
		if allowed, err = h.Authz.Allowed(r.Context(), u, ns); err == nil && !allowed {
			writeError(w, http.StatusForbidden, "user "+u.Name+" may not get baselines.netpol-advisor.io in namespace "+displayNS(ns))
			return "", flow.Window{}, false
		}
	}
	if err != nil {
		h.fail(w, err)
		return "", flow.Window{}, false
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	win, err := parseWindow(r.URL.Query(), now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return "", flow.Window{}, false
	}
	return ns, win, true
}

func displayNS(ns string) string {
	if ns == "" {
		return "(all namespaces)"
	}
	return ns
}

func (h *Handler) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, err.Error()+": no flow of this workload in the window yet")
		return
	}
	if h.Logger != nil {
		h.Logger.Error("read API", "err", err)
	}
	writeError(w, http.StatusServiceUnavailable, "cannot read baselines now; retry later")
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, transport.ErrorResponse{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
