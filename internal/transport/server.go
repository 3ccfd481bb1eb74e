package transport

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

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
	// DefaultMaxInFlight is the default of Handler.MaxInFlight.
	DefaultMaxInFlight = 8
	// DefaultMaxClockSkew is the default of Handler.MaxClockSkew.
	DefaultMaxClockSkew = 5 * time.Minute
	// DefaultResolveLag is the default of Handler.ResolveLag.
	DefaultResolveLag = 30 * time.Second
)

// Handler is the server side of the transport: it limits, authenticates,
// decodes, checks, resolves and applies one batch per request.
type Handler struct {
	Auth Authenticator
	// Observers are the user names allowed to send batches, e.g.
	// system:serviceaccount:netpol-advisor:observer.
	Observers []string
	// Pods is the server's own view of which pod ran on which node: a
	// record is kept only when its local end was a pod of the sending
	// observer's node at the flow's time.
	Pods     Pods
	Resolver Resolver
	Writer   store.Writer
	// AllowUnboundTokens accepts tokens not bound to a pod (no node in
	// them); the node is then the one the observer ID claims. Off by
	// default: any holder of such a token could speak for any node.
	AllowUnboundTokens bool
	MaxBodyBytes       int64 // DefaultMaxBodyBytes when 0
	MaxRecords         int   // DefaultMaxRecords when 0
	// MaxInFlight bounds the batches being handled at once, authentication
	// included (DefaultMaxInFlight when 0). Beyond it up to MaxQueued
	// authenticated batches wait up to MaxQueueWait for a slot, in order
	// (defaults DefaultMaxQueued, DefaultMaxQueueWait); the others are
	// answered 429 with a Retry-After that books their observer a turn
	// after those refused before them (see admission and bookings). A
	// negative MaxQueued queues none.
	MaxInFlight  int
	MaxQueued    int
	MaxQueueWait time.Duration
	// MaxClockSkew is how far ahead of the server's clock an observer's
	// times may be; later times are set to the server's time
	// (DefaultMaxClockSkew when 0).
	MaxClockSkew time.Duration
	// MaxAge rejects records that ended longer ago (0: no limit); set it
	// to the retention.
	MaxAge time.Duration
	// ResolveLag is how long the server waits for its informers to learn
	// a local pod before rejecting its records: a batch with a recent
	// record of an unknown pod is answered 503, to be retried
	// (DefaultResolveLag when 0).
	ResolveLag time.Duration
	Now        func() time.Time // time.Now when nil
	Logger     *slog.Logger
	Metrics    *Metrics // nil: none

	once  sync.Once
	admit *admission
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.Metrics.batch(h.serve(w, r))
}

// serve handles one batch and returns the result to count.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) string {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return h.refuse(w, http.StatusMethodNotAllowed, batchMethod, "batches are sent with POST")
	}
	if h.Pods == nil {
		writeError(w, http.StatusInternalServerError, "the server has no view of the cluster's pods to check records against")
		return resultError
	}
	u, release, result := h.admitBatch(w, r)
	if release == nil {
		return result
	}
	defer release()
	var ig ignored
	env, code, reason, err := h.decode(w, r, &ig)
	if err != nil {
		return h.refuse(w, code, reason, err.Error())
	}
	if msg, known := boundPod(h.Pods, u); msg != "" {
		if !known {
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, msg+"; retry later")
			return resultDeferred
		}
		return h.refuse(w, http.StatusForbidden, batchOtherNode, msg)
	}
	node, ok := nodeOf(u, env.Observer, h.AllowUnboundTokens)
	if !ok {
		return h.refuse(w, http.StatusForbidden, batchUnbound, "the token is not bound to a pod, so it names no node: "+
			"mount a projected ServiceAccount token in the observer (or start the server with --allow-unbound-tokens)")
	}
	if !strings.HasPrefix(env.Observer, node+"/") {
		return h.refuse(w, http.StatusForbidden, batchOtherNode, fmt.Sprintf("the observer of node %q may not send as %q", node, env.Observer))
	}
	return h.ingest(w, r.Context(), env, node, &ig)
}

// ingest checks the records of a decoded batch and applies those that pass.
func (h *Handler) ingest(w http.ResponseWriter, ctx context.Context, env *envelope, node string, ig *ignored) string {
	b, deferred := h.check(env, node, ig)
	if deferred != "" {
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, deferred)
		return resultDeferred
	}
	resp, err := h.apply(ctx, env, b)
	if err != nil {
		h.logger().Error("apply batch", "observer", env.Observer, "seq", env.Seq, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the batch could not be stored; retry later")
		return resultError
	}
	h.Metrics.ignoredFields(ig.records)
	writeJSON(w, http.StatusOK, resp)
	if len(b.rejected) > 0 {
		h.logger().Warn("records of a batch rejected", "observer", env.Observer, "seq", env.Seq,
			"rejected", len(b.rejected), "first", b.rejected[0].Message)
	}
	if !resp.Applied {
		h.logger().Info("batch already applied: a retry", "observer", env.Observer, "seq", env.Seq)
		return resultRetry
	}
	return resultApplied
}

// refuse answers a batch refused as a whole.
func (h *Handler) refuse(w http.ResponseWriter, code int, reason, msg string) string {
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="netpol-advisor"`)
	}
	writeError(w, code, msg)
	switch {
	case code == http.StatusTooManyRequests:
		return resultThrottled
	case code >= 500:
		return resultError
	}
	h.Metrics.batchRejected(reason)
	return resultRejected
}

func (h *Handler) apply(ctx context.Context, env *envelope, b checkedBatch) (Response, error) {
	flows := make([]flow.Flow, 0, len(b.records))
	for _, rec := range b.records {
		flows = append(flows, h.Resolver.Flows(rec)...)
	}
	applied, err := h.Writer.Apply(ctx, store.Batch{Observer: env.Observer, Seq: env.Seq, Flows: flows})
	if err != nil {
		return Response{}, err
	}
	if applied {
		h.Metrics.applied(len(b.records), len(flows))
		h.Metrics.recordsRejected(b.rejected)
		h.Metrics.clampedRecords(b.clamped)
	}
	last, err := h.Writer.LastSeq(ctx, env.Observer)
	return Response{Version: WireVersion, Applied: applied, LastSeq: last, Accepted: len(b.records),
		Rejected: b.rejected, Clamped: b.clamped, IgnoredFields: b.ignored}, err
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}
