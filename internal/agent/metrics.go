package agent

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// reasonOther labels rejections of a reason this observer does not know:
// the label stays bounded whatever a server sends.
const reasonOther = "other"

// Results of a send, the values of the result label.
const (
	sendAcknowledged = "acknowledged"
	sendQuarantined  = "quarantined"
	sendFailed       = "failed"
)

// Metrics count what the agent did. A nil *Metrics counts nothing.
type Metrics struct {
	sends      *prometheus.CounterVec
	records    prometheus.Counter
	rejected   *prometheus.CounterVec
	unresolved prometheus.Counter
	paused     prometheus.Counter
}

// NewMetrics creates the agent's metrics and registers them with reg,
// with a gauge of the records pending in the outbox read at scrape time.
func NewMetrics(reg prometheus.Registerer, pending func() int) *Metrics {
	m := &Metrics{
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_batches_sent_total",
			Help: "Batches sent to the server, by result: acknowledged, quarantined (refused for good, kept in the outbox), failed (retried).",
		}, []string{"result"}),
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_records_sent_total",
			Help: "Flow records in batches the server acknowledged.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_records_rejected_total",
			Help: "Records of acknowledged batches the server rejected, by its reason (other: a reason this observer does not know).",
		}, []string{"reason"}),
		unresolved: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_unresolved_observations_total",
			Help: "Observations dropped because their local socket is no pod of this node.",
		}),
		paused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_drain_pauses_total",
			Help: "Drains skipped because the outbox was full (the server is away).",
		}),
	}
	for _, r := range []string{sendAcknowledged, sendQuarantined, sendFailed} {
		m.sends.WithLabelValues(r)
	}
	for _, r := range append(slices.Clone(transport.RecordReasons), reasonOther) {
		m.rejected.WithLabelValues(r)
	}
	pendingGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "netpol_advisor_agent_outbox_pending_records",
		Help: "Records in the outbox not yet acknowledged by the server.",
	}, func() float64 { return float64(pending()) })
	reg.MustRegister(m.sends, m.records, m.rejected, m.unresolved, m.paused, pendingGauge)
	return m
}

func (m *Metrics) sent(result string) {
	if m != nil {
		m.sends.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) sentRecords(n int) {
	if m != nil {
		m.records.Add(float64(n))
	}
}

func (m *Metrics) unresolvedObservations(n int) {
	if m != nil {
		m.unresolved.Add(float64(n))
	}
}

func (m *Metrics) pausedDrain() {
	if m != nil {
		m.paused.Inc()
	}
}

func (m *Metrics) recordRejected(reason string) {
	if m == nil {
		return
	}
	if !slices.Contains(transport.RecordReasons, reason) {
		reason = reasonOther
	}
	m.rejected.WithLabelValues(reason).Inc()
}
