package transport

import (
	"fmt"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// maxProcess bounds a process name (the kernel's comm is 15 bytes; room
// is left for longer names of newer observers).
const maxProcess = 64

// validObservation checks the fields a flow is made of.
func validObservation(o flow.Observation) error {
	switch {
	case o.Direction != flow.Egress && o.Direction != flow.Ingress:
		return fmt.Errorf("direction %q is neither Egress nor Ingress", o.Direction)
	case !o.LocalIP.IsValid():
		return fmt.Errorf("localIP is missing")
	case !o.Peer().IsValid():
		return fmt.Errorf("peer address is missing")
	case o.ServerPort == 0:
		return fmt.Errorf("serverPort is required")
	case o.Protocol != corev1.ProtocolTCP && o.Protocol != corev1.ProtocolUDP && o.Protocol != corev1.ProtocolSCTP:
		return fmt.Errorf("protocol %q is not TCP, UDP or SCTP", o.Protocol)
	case o.Count == 0 && o.Failed == 0:
		return fmt.Errorf("count and failed are both 0")
	case !failuresWithin(o.Failures, o.Failed):
		return fmt.Errorf("refused + timedOut + unreachable (%d, %d, %d) exceed failed (%d): they say why those failed",
			o.Refused, o.TimedOut, o.Unreachable, o.Failed)
	case o.LastSeen.IsZero() || o.FirstSeen.After(o.LastSeen):
		return fmt.Errorf("lastSeen is missing or before firstSeen")
	case len(o.Process) > maxProcess || !utf8.ValidString(o.Process):
		return fmt.Errorf("process is not UTF-8 of at most %d bytes", maxProcess)
	}
	return nil
}

// failuresWithin reports whether the kinds of failures add up to at most
// failed, without overflowing.
func failuresWithin(f flow.Failures, failed uint64) bool {
	return f.Refused <= failed && f.TimedOut <= failed-f.Refused && f.Unreachable <= failed-f.Refused-f.TimedOut
}

// clock bounds the times observers report.
type clock struct {
	now    time.Time
	skew   time.Duration // tolerated lead of an observer's clock
	oldest time.Time     // zero: no lower bound
}

// clamp sets times later than now+skew to now: a flow cannot have been seen
// after it reached the server, and a time far in the future would never
// expire and show in every window. It reports whether it changed anything.
// Times in the past are not clamped: a backlog replayed after an outage
// is legitimately hours old.
func (c clock) clamp(o *flow.Observation) bool {
	limit := c.now.Add(c.skew)
	changed := false
	if o.LastSeen.After(limit) {
		o.LastSeen, changed = c.now, true
	}
	if o.FirstSeen.After(o.LastSeen) {
		o.FirstSeen, changed = o.LastSeen, true
	}
	return changed
}

// tooOld reports whether the flow ended before anything the server keeps.
func (c clock) tooOld(o flow.Observation) bool {
	return !c.oldest.IsZero() && o.LastSeen.Before(c.oldest)
}

// checked is a record that passed every check, with the server's own
// resolution of its local end.
type checked struct {
	rec     store.Record
	clamped bool
}
