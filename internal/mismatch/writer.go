package mismatch

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Writer is the ingest's store.Writer: it writes through to the store,
// times the writes, counts the flows applied by how their peer was
// resolved, and tells the evaluator what was applied.
type Writer struct {
	store.Writer
	ev       *Evaluator
	latency  prometheus.Observer
	last     prometheus.Gauge
	resolved *prometheus.CounterVec
}

// Resolution outcomes, the values of the outcome label.
var outcomes = []string{"workload", "service", "node", "api-server", "external"}

func outcome(p flow.Peer) string {
	switch p.Kind {
	case flow.PeerWorkload:
		if !p.Service.IsZero() {
			return "service"
		}
		return "workload"
	case flow.PeerNode:
		return "node"
	case flow.PeerAPIServer:
		return "api-server"
	}
	return "external"
}

var _ store.Writer = (*Writer)(nil)

// NewWriter wraps w; ev may be nil (then only the store metrics are kept).
func NewWriter(w store.Writer, ev *Evaluator, reg prometheus.Registerer) *Writer {
	lat := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "netpol_advisor_store_write_duration_seconds",
		Help:    "Time to apply one observer batch to the baseline store.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 3, 10),
	})
	last := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "netpol_advisor_ingest_last_applied_timestamp_seconds",
		Help: "When a batch with new flows was last applied to the baselines (Unix time; 0: none since start).",
	})
	resolved := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "netpol_advisor_ingest_resolved_flows_total",
		Help: "Flows applied to the baselines, by how their peer resolved: workload (a pod), service (a pod reached through a ClusterIP), node (node or host-network), api-server, external (no cluster object: unresolved).",
	}, []string{"outcome"})
	for _, o := range outcomes {
		resolved.WithLabelValues(o)
	}
	reg.MustRegister(lat, last, resolved)
	return &Writer{Writer: w, ev: ev, latency: lat, last: last, resolved: resolved}
}

// Apply applies b and, when it was new, hands its flows to the evaluator.
func (w *Writer) Apply(ctx context.Context, b store.Batch) (bool, error) {
	start := time.Now()
	applied, err := w.Writer.Apply(ctx, b)
	w.latency.Observe(time.Since(start).Seconds())
	if err != nil || !applied {
		return applied, err
	}
	if len(b.Flows) > 0 {
		w.last.SetToCurrentTime()
	}
	for i := range b.Flows {
		w.resolved.WithLabelValues(outcome(b.Flows[i].Peer)).Inc()
	}
	if w.ev != nil {
		w.ev.Ingested(b.Flows)
	}
	return applied, nil
}
