package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Resolver turns an observer's record into resolved flows (resolve.Index).
type Resolver interface {
	Flows(rec store.Record) []flow.Flow
}

// Default limits of a batch.
const (
	DefaultMaxBodyBytes = 8 << 20
	DefaultMaxRecords   = 10000
)

// Handler is the server side of the transport: it authenticates, limits,
// decodes, validates, resolves and applies one batch per request.
type Handler struct {
	Auth Authenticator
	// Observers are the user names allowed to send batches, e.g.
	// system:serviceaccount:netpol-advisor:observer.
	Observers    []string
	Resolver     Resolver
	Writer       store.Writer
	MaxBodyBytes int64 // DefaultMaxBodyBytes when 0
	MaxRecords   int   // DefaultMaxRecords when 0
	// MaxInFlight bounds the batches being handled at once; beyond it the
	// server answers 429 and observers back off (DefaultMaxInFlight when 0).
	MaxInFlight int
	Logger      *slog.Logger
	Metrics     *Metrics // nil: none

	once     sync.Once
	inFlight chan struct{}
}

// DefaultMaxInFlight is the default of Handler.MaxInFlight.
const DefaultMaxInFlight = 8

// nodeNameExtra is set on tokens of ServiceAccounts bound to a pod: the
// pod's node (KEP-4193). An observer may then only send as its own node.
const nodeNameExtra = "authentication.kubernetes.io/node-name"

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.Metrics.batch(h.serve(w, r))
}

// serve handles one batch and returns the result to count.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) string {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "batches are sent with POST")
		return resultRejected
	}
	u, code, msg := h.authorize(r)
	if code != 0 {
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="netpol-advisor"`)
		}
		writeError(w, code, msg)
		return resultOf(code)
	}
	if !h.acquire() {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "too many batches in flight; retry later")
		return resultThrottled
	}
	defer h.release()
	req, code, err := h.decode(w, r)
	if err != nil {
		writeError(w, code, err.Error())
		return resultRejected
	}
	if node := u.Extra[nodeNameExtra]; len(node) == 1 && !strings.HasPrefix(req.Observer, node[0]+"/") {
		writeError(w, http.StatusForbidden, fmt.Sprintf("the observer of node %q may not send as %q", node[0], req.Observer))
		return resultRejected
	}
	resp, err := h.apply(r.Context(), req)
	if err != nil {
		h.logger().Error("apply batch", "observer", req.Observer, "seq", req.Seq, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the batch could not be stored; retry later")
		return resultError
	}
	writeJSON(w, http.StatusOK, resp)
	if !resp.Applied {
		h.logger().Info("batch already applied: a retry", "observer", req.Observer, "seq", req.Seq)
		return resultRetry
	}
	return resultApplied
}

func resultOf(code int) string {
	if code >= 500 {
		return resultError
	}
	return resultRejected
}

// authorize returns the allowed observer's user and 0, else a status and
// message.
func (h *Handler) authorize(r *http.Request) (User, int, string) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return User{}, http.StatusUnauthorized, "a bearer token (the observer's ServiceAccount token) is required"
	}
	u, err := h.Auth.Authenticate(r.Context(), token)
	if errors.Is(err, ErrUnauthenticated) {
		return User{}, http.StatusUnauthorized, "the bearer token was not accepted by the API server"
	}
	if err != nil {
		h.logger().Error("authenticate observer", "err", err)
		return User{}, http.StatusServiceUnavailable, "cannot check the token now; retry later"
	}
	if !slices.Contains(h.Observers, u.Name) {
		return User{}, http.StatusForbidden, fmt.Sprintf("user %q may not send batches", u.Name)
	}
	return u, 0, ""
}
func (h *Handler) apply(ctx context.Context, req *Request) (Response, error) {
	flows := make([]flow.Flow, 0, len(req.Records))
	for _, rec := range req.Records {
		flows = append(flows, h.Resolver.Flows(rec)...)
	}
	applied, err := h.Writer.Apply(ctx, store.Batch{Observer: req.Observer, Seq: req.Seq, Flows: flows})
	if err != nil {
		return Response{}, err
	}
	if applied {
		h.Metrics.applied(len(req.Records), len(flows))
	}
	last, err := h.Writer.LastSeq(ctx, req.Observer)
	return Response{Applied: applied, LastSeq: last}, err
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}
