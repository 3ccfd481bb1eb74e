package transport

import (
	"fmt"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// checkedBatch is what a batch holds after its records were checked.
type checkedBatch struct {
	records  []store.Record // accepted, with the server's workload
	rejected []Rejection
	clamped  int
	ignored  []string
}

// check decodes and checks every record of env sent by node's observer.
// It returns a message instead when the batch must wait: a recent record's
// local pod is not known yet (the server's informers may be a moment behind
// the observer's).
func (h *Handler) check(env *envelope, node string, ig *ignored) (checkedBatch, string) {
	now := h.now()
	c := clock{now: now, skew: cmpOr(h.MaxClockSkew, DefaultMaxClockSkew)}
	if h.MaxAge > 0 {
		c.oldest = now.Add(-h.MaxAge)
	}
	lag := cmpOr(h.ResolveLag, DefaultResolveLag)
	b := checkedBatch{records: make([]store.Record, 0, env.count())}
	for i := range env.count() {
		rec, clamped, reason, msg := h.checkRecord(env, i, c, node, ig)
		// A clamped time is the arrival time: it would stay recent forever.
		if reason == ReasonUnknownPod && !clamped && now.Sub(rec.Observation.LastSeen) < lag {
			return checkedBatch{}, fmt.Sprintf("record %d: %s yet; retry later", i, msg)
		}
		if reason != "" {
			b.rejected = append(b.rejected, Rejection{Record: i, Reason: reason, Message: msg})
			continue
		}
		b.records = append(b.records, rec)
		if clamped {
			b.clamped++
		}
	}
	b.ignored = ig.names
	return b, ""
}

// checkRecord decodes, validates, clamps and binds record i of env.
func (h *Handler) checkRecord(env *envelope, i int, c clock, node string, ig *ignored) (store.Record, bool, string, string) {
	var rec store.Record
	if env.decoded != nil {
		rec = env.decoded[i]
	} else {
		var err error
		if rec, err = decodeRecord(env.Records[i], ig); err != nil {
			return rec, false, ReasonMalformed, fmt.Sprintf("not a record: %v", err)
		}
	}
	if err := validObservation(rec.Observation); err != nil {
		return rec, false, ReasonInvalid, err.Error()
	}
	clamped := c.clamp(&rec.Observation)
	if c.tooOld(rec.Observation) {
		return rec, false, ReasonTooOld, fmt.Sprintf("lastSeen %s is before %s, the oldest time the server keeps",
			rec.Observation.LastSeen.UTC().Format(time.RFC3339), c.oldest.UTC().Format(time.RFC3339))
	}
	if reason, msg := bind(h.Pods, node, &rec); reason != "" {
		return rec, clamped, reason, msg
	}
	return rec, clamped, "", ""
}
