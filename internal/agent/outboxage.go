package agent

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// pendingReader reads the oldest pending batch (store.Outbox has it).
type pendingReader interface {
	Pending(ctx context.Context, max int) ([]store.Pending, error)
}

// RegisterOutboxAge registers a gauge, read at scrape time, of how long the
// oldest record waiting in the outbox has waited: since its flow was last
// seen (0 when nothing waits). It grows while the server is away.
func RegisterOutboxAge(reg prometheus.Registerer, ob pendingReader, now func() time.Time) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "netpol_advisor_agent_outbox_oldest_age_seconds",
		Help: "How long the oldest record waiting in the outbox has waited, since its flow was last seen (0: nothing waits).",
	}, func() float64 { return oldestAge(ob, now()).Seconds() }))
}

func oldestAge(ob pendingReader, now time.Time) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	p, err := ob.Pending(ctx, 1)
	if err != nil || len(p) == 0 {
		return 0
	}
	var oldest time.Time
	for _, r := range p[0].Records {
		if t := r.Observation.LastSeen; !t.IsZero() && (oldest.IsZero() || t.Before(oldest)) {
			oldest = t
		}
	}
	if oldest.IsZero() || now.Before(oldest) {
		return 0
	}
	return now.Sub(oldest)
}
