package agent

import "github.com/prometheus/client_golang/prometheus"

// Results of a send, the values of the result label.
const (
	sendAcknowledged = "acknowledged"
	sendDropped      = "dropped"
	sendFailed       = "failed"
)

// Metrics count what the agent did. A nil *Metrics counts nothing.
type Metrics struct {
	sends      *prometheus.CounterVec
	records    prometheus.Counter
	unresolved prometheus.Counter
	paused     prometheus.Counter
}

// NewMetrics creates the agent's metrics and registers them with reg,
// with a gauge of the records pending in the outbox read at scrape time.
func NewMetrics(reg prometheus.Registerer, pending func() int) *Metrics {
	m := &Metrics{
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_batches_sent_total",
			Help: "Batches sent to the server, by result: acknowledged, dropped (refused for good), failed (retried).",
		}, []string{"result"}),
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_records_sent_total",
			Help: "Flow records in batches the server acknowledged.",
		}),
		unresolved: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_unresolved_observations_total",
			Help: "Observations dropped because their local socket is no pod of this node.",
		}),
		paused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_agent_drain_pauses_total",
			Help: "Drains skipped because the outbox was full (the server is away).",
		}),
	}
	for _, r := range []string{sendAcknowledged, sendDropped, sendFailed} {
		m.sends.WithLabelValues(r)
	}
	pendingGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "netpol_advisor_agent_outbox_pending_records",
		Help: "Records in the outbox not yet acknowledged by the server.",
	}, func() float64 { return float64(pending()) })
	reg.MustRegister(m.sends, m.records, m.unresolved, m.paused, pendingGauge)
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
