package transport

import "github.com/prometheus/client_golang/prometheus"

// Results of a batch, the values of the result label.
const (
	resultApplied   = "applied"
	resultRetry     = "retry"
	resultRejected  = "rejected"
	resultThrottled = "throttled"
	resultError     = "error"
)

// Metrics count what the ingest did. A nil *Metrics counts nothing.
type Metrics struct {
	batches *prometheus.CounterVec
	records prometheus.Counter
	flows   prometheus.Counter
}

// NewMetrics creates the ingest metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_batches_total",
			Help: "Batches received from observers, by result: applied, retry (applied before), rejected (4xx), throttled (429), error (5xx).",
		}, []string{"result"}),
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_records_total",
			Help: "Observer records in applied batches.",
		}),
		flows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_flows_total",
			Help: "Resolved flows written to the baseline store (a Service connection gives one per backend workload).",
		}),
	}
	for _, r := range []string{resultApplied, resultRetry, resultRejected, resultThrottled, resultError} {
		m.batches.WithLabelValues(r)
	}
	reg.MustRegister(m.batches, m.records, m.flows)
	return m
}

func (m *Metrics) batch(result string) {
	if m != nil && result != resultApplied { // applied counts itself, with its sizes
		m.batches.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) applied(records, flows int) {
	if m != nil {
		m.batches.WithLabelValues(resultApplied).Inc()
		m.records.Add(float64(records))
		m.flows.Add(float64(flows))
	}
}
