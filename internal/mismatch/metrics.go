package mismatch

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Evaluation modes, the values of the mode label.
const (
	modeFull        = "full"
	modeIncremental = "incremental"
)

type metrics struct {
	blocked     *prometheus.GaugeVec
	failed      *prometheus.CounterVec
	rounds      *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	last        prometheus.Gauge
	droppedFail prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		blocked: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "netpol_advisor_mismatch_blocked_flows",
			Help: "Observed flows (distinct edges of the baseline window) that a NetworkPolicy in force blocks, by observing workload, class (dns, external, peer, api-server, node) and blocking policy (namespace/name). List them with: kubectl get baselines -n <namespace>.",
		}, []string{"namespace", "kind", "workload", "class", "policy"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_mismatch_failed_connections_total",
			Help: "Failed connects (refused or unanswered) reported by observers, by workload, direction and the policy in force that isolates an end without allowing the connection (empty: no policy blocks it; a connect blocked by two policies counts for both).",
		}, []string{"namespace", "kind", "workload", "direction", "policy"}),
		rounds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_mismatch_evaluations_total",
			Help: "Evaluations of the policies in force against the baselines, by mode (full, incremental) and result (ok, error).",
		}, []string{"mode", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "netpol_advisor_mismatch_evaluation_duration_seconds",
			Help:    "Time one evaluation took, by mode.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9),
		}, []string{"mode"}),
		last: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "netpol_advisor_mismatch_last_evaluation_timestamp_seconds",
			Help: "When the last successful evaluation ended (Unix time).",
		}),
		droppedFail: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_mismatch_failed_connects_dropped_total",
			Help: "Failed connects not attributed because too many waited for an evaluation.",
		}),
	}
	for _, mode := range []string{modeFull, modeIncremental} {
		for _, r := range []string{"ok", "error"} {
			m.rounds.WithLabelValues(mode, r)
		}
		m.duration.WithLabelValues(mode)
	}
	reg.MustRegister(m.blocked, m.failed, m.rounds, m.duration, m.last, m.droppedFail)
	return m
}

func (m *metrics) evaluated(mode string, d time.Duration, err error, now time.Time) {
	if err != nil {
		m.rounds.WithLabelValues(mode, "error").Inc()
		return
	}
	m.rounds.WithLabelValues(mode, "ok").Inc()
	m.duration.WithLabelValues(mode).Observe(d.Seconds())
	m.last.Set(float64(now.UnixNano()) / 1e9)
}
