package webhook

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/validate"
)

// Review outcomes, the values of the outcome label.
const (
	outcomeAllowed = "allowed" // admitted without warning
	outcomeWarned  = "warned"  // admitted with warnings
	outcomeDenied  = "denied"  // refused (an enforcing namespace)
	outcomeErrored = "errored" // a bad request or a failure of the handler
)

// Metrics count the webhooks' reviews. A nil *Metrics counts nothing.
type Metrics struct {
	duration *prometheus.HistogramVec
	reviews  *prometheus.CounterVec
	warnings *prometheus.CounterVec
}

// NewMetrics creates the webhooks' metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "netpol_advisor_webhook_review_duration_seconds",
			Help:    "Time the handler took to answer an admission review, by webhook (mutate, validate).",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
		}, []string{"webhook"}),
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_webhook_reviews_total",
			Help: "Admission reviews answered, by webhook and outcome (allowed, warned, denied, errored).",
		}, []string{"webhook", "outcome"}),
		warnings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "netpol_advisor_webhook_warnings_total",
			Help: "Observed flows a NetworkPolicy change would block, warned about on kubectl apply, by class (dns, external, peer, api-server, node).",
		}, []string{"class"}),
	}
	for _, w := range []string{"mutate", "validate"} {
		m.duration.WithLabelValues(w)
		for _, o := range []string{outcomeAllowed, outcomeWarned, outcomeDenied, outcomeErrored} {
			m.reviews.WithLabelValues(w, o)
		}
	}
	reg.MustRegister(m.duration, m.reviews, m.warnings)
	return m
}

// measured times h and counts its outcomes as webhook name.
type measured struct {
	name string
	h    admission.Handler
	m    *Metrics
}

func (m *Metrics) wrap(name string, h admission.Handler) admission.Handler {
	if m == nil {
		return h
	}
	return measured{name: name, h: h, m: m}
}

func (w measured) Handle(ctx context.Context, req admission.Request) (resp admission.Response) {
	start := time.Now()
	defer func() {
		w.m.duration.WithLabelValues(w.name).Observe(time.Since(start).Seconds())
		w.m.reviews.WithLabelValues(w.name, outcome(resp)).Inc()
	}()
	return w.h.Handle(ctx, req)
}

func outcome(r admission.Response) string {
	switch {
	case r.Result != nil && r.Result.Code >= 400 && !r.Allowed && r.Result.Code != 403:
		return outcomeErrored
	case !r.Allowed:
		return outcomeDenied
	case len(r.Warnings) > 0:
		return outcomeWarned
	}
	return outcomeAllowed
}

// countingChecker counts the findings of every check by class.
type countingChecker struct {
	validate.Checker
	m *Metrics
}

func (m *Metrics) checker(c validate.Checker) validate.Checker {
	if m == nil {
		return c
	}
	return countingChecker{Checker: c, m: m}
}

func (c countingChecker) CheckShown(ctx context.Context, change policy.Change, shown int) (advice.Checked, error) {
	out, err := c.Checker.CheckShown(ctx, change, shown)
	for _, f := range out.Findings {
		c.m.warnings.WithLabelValues(classLabel(f.Class)).Inc()
	}
	return out, err
}

func classLabel(c policy.Class) string {
	switch c {
	case policy.ClassDNS:
		return "dns"
	case policy.ClassExternal:
		return "external"
	case policy.ClassPeer:
		return "peer"
	case policy.ClassAPIServer:
		return "api-server"
	case policy.ClassNode:
		return "node"
	}
	return "other"
}
