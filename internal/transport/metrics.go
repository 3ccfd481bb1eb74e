package transport

import "github.com/prometheus/client_golang/prometheus"

// Results of a batch, the values of the result label.
const (
	resultApplied   = "applied"
	resultRetry     = "retry"
	resultRejected  = "rejected"
	resultThrottled = "throttled"
	resultDeferred  = "deferred"
	resultError     = "error"
)

// Reasons a batch is refused as a whole, the values of the reason label.
const (
	batchMethod          = "method"
	batchUnauthenticated = "unauthenticated"
	batchForbidden       = "forbidden-user"
	batchUnbound         = "unbound-token"
	batchOtherNode       = "other-node"
	batchUnsupportedType = "unsupported-media-type"
	batchMalformed       = "malformed"
	batchTooLarge        = "too-large"
	batchInvalid         = "invalid"
)

var batchReasons = []string{batchMethod, batchUnauthenticated, batchForbidden, batchUnbound, batchOtherNode,
	batchUnsupportedType, batchMalformed, batchTooLarge, batchInvalid}

// Metrics count what the ingest did. A nil *Metrics counts nothing.
type Metrics struct {
	batches         *prometheus.CounterVec
	batchesRefused  *prometheus.CounterVec
	records         prometheus.Counter
	rejectedRecords *prometheus.CounterVec
	clamped         prometheus.Counter
	unknownFields   prometheus.Counter
	flows           prometheus.Counter
	reviews         *prometheus.CounterVec
}

// NewMetrics creates the ingest metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_batches_total",
			Help: "Batches received from observers, by result: applied, retry (applied before), rejected (4xx), throttled (429), deferred (503: a local pod not known yet), error (5xx).",
		}, []string{"result"}),
		batchesRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_batches_rejected_total",
			Help: "Batches refused as a whole, by reason.",
		}, []string{"reason"}),
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_records_total",
			Help: "Observer records accepted in applied batches.",
		}),
		rejectedRecords: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_records_rejected_total",
			Help: "Records of applied batches refused one by one, by reason (local-pod-other-node: an observer spoke for another node's pod).",
		}, []string{"reason"}),
		clamped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_records_clamped_total",
			Help: "Accepted records whose times were later than the server's clock plus --max-clock-skew and were set to the server's time.",
		}),
		unknownFields: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_records_unknown_fields_total",
			Help: "Records carrying fields this server does not know (a newer observer); the fields were ignored.",
		}),
		flows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_flows_total",
			Help: "Resolved flows written to the baseline store (a Service connection gives one per backend workload).",
		}),
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_ingest_tokenreviews_total",
			Help: "Bearer tokens checked, by result: cached (answered from the cache), authenticated and unauthenticated (a TokenReview), error (the TokenReview failed), throttled (over --tokenreview-qps, not sent).",
		}, []string{"result"}),
	}
	for _, r := range []string{resultApplied, resultRetry, resultRejected, resultThrottled, resultDeferred, resultError} {
		m.batches.WithLabelValues(r)
	}
	for _, r := range batchReasons {
		m.batchesRefused.WithLabelValues(r)
	}
	for _, r := range RecordReasons {
		m.rejectedRecords.WithLabelValues(r)
	}
	for _, r := range reviewResults {
		m.reviews.WithLabelValues(r)
	}
	reg.MustRegister(m.batches, m.batchesRefused, m.records, m.rejectedRecords, m.clamped, m.unknownFields, m.flows, m.reviews)
	return m
}

func (m *Metrics) batch(result string) {
	if m != nil && result != resultApplied { // applied counts itself, with its sizes
		m.batches.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) batchRejected(reason string) {
	if m != nil && reason != "" {
		m.batchesRefused.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) applied(records, flows int) {
	if m != nil {
		m.batches.WithLabelValues(resultApplied).Inc()
		m.records.Add(float64(records))
		m.flows.Add(float64(flows))
	}
}

func (m *Metrics) recordsRejected(rs []Rejection) {
	if m != nil {
		for _, r := range rs {
			m.rejectedRecords.WithLabelValues(r.Reason).Inc()
		}
	}
}

func (m *Metrics) clampedRecords(n int) {
	if m != nil && n > 0 {
		m.clamped.Add(float64(n))
	}
}

func (m *Metrics) ignoredFields(records int) {
	if m != nil && records > 0 {
		m.unknownFields.Add(float64(records))
	}
}

func (m *Metrics) review(result string) {
	if m != nil {
		m.reviews.WithLabelValues(result).Inc()
	}
}
