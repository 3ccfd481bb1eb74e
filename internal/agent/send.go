package agent

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// sendLoop ships pending batches oldest first, one at a time, so the
// server sees each observer's sequence numbers in order. The server's
// refusals are retried inside sendOne; an error here is the outbox's.
func (a *Agent) sendLoop(ctx context.Context) error {
	bo := a.retry().Backoff()
	for {
		sent, err := a.sendOne(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			d := bo.Step()
			a.Logger.Warn("read or update the outbox; will retry", "err", err, "in", d)
			if !sleep(ctx, d) {
				return ctx.Err()
			}
			continue
		}
		bo = a.retry().Backoff()
		if sent {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-a.wakeup:
		case <-time.After(a.DrainEvery):
		}
	}
}

func (a *Agent) retry() Retry { return Retry{Min: a.RetryMin, Max: a.RetryMax} }

// sendOne sends the oldest pending batch, if any, until the server has it,
// and then acknowledges it locally. Records the server rejected one by one
// are logged and counted, never resent; a batch refused as a whole for
// good is quarantined in the outbox, never silently dropped.
func (a *Agent) sendOne(ctx context.Context) (bool, error) {
	pending, err := a.Outbox.Pending(ctx, 1)
	if err != nil || len(pending) == 0 {
		return false, err
	}
	p := pending[0]
	resp, err := a.retry().Deliver(ctx, a.Sender, a.Outbox.ID(), p, a.retried)
	var se *transport.StatusError
	if errors.As(err, &se) && se.Permanent() {
		a.Logger.Error("the server refused a batch for good; quarantined in the outbox", "seq", p.Seq, "records", len(p.Records), "err", err)
		a.Metrics.sent(sendQuarantined)
		return true, a.Outbox.Quarantine(ctx, p.Seq, err.Error())
	}
	if err != nil {
		return false, err
	}
	a.rejected(p, resp)
	a.Metrics.sent(sendAcknowledged)
	a.Metrics.sentRecords(len(p.Records))
	return true, a.Outbox.Ack(ctx, p.Seq)
}

// retried counts and logs a try the server did not acknowledge. Being
// asked to wait (429) is the server's back-pressure, not a fault.
func (a *Agent) retried(err error, in time.Duration) {
	a.Metrics.sent(sendFailed)
	var se *transport.StatusError
	if errors.As(err, &se) && se.Code == http.StatusTooManyRequests {
		a.Logger.Info("the server is busy; will resend the batch", "err", err, "in", in)
		return
	}
	a.Logger.Warn("send batch to the server; will retry", "err", err, "in", in)
}

// rejected reports the records of p the server refused.
func (a *Agent) rejected(p store.Pending, resp transport.Response) {
	if len(resp.IgnoredFields) > 0 {
		a.Logger.Warn("the server ignored fields it does not know (it is older than this observer)", "seq", p.Seq, "fields", resp.IgnoredFields)
	}
	if len(resp.Rejected) == 0 {
		return
	}
	for i, r := range resp.Rejected {
		a.Metrics.recordRejected(r.Reason)
		if i < maxLoggedRejections {
			a.Logger.Warn("the server rejected a record", "seq", p.Seq, "record", r.Record, "reason", r.Reason, "message", r.Message)
		}
	}
	a.Logger.Warn("records of a batch rejected by the server; they are not sent again", "seq", p.Seq,
		"rejected", len(resp.Rejected), "of", len(p.Records))
}

// maxLoggedRejections bounds the rejections of one batch logged one by one.
const maxLoggedRejections = 5

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
