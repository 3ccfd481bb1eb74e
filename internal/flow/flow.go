package flow

import (
	"math"
	"math/bits"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Direction is the side the observing workload was on.
type Direction string

const (
	// Egress: the observing workload opened the connection (or sent the
	// first datagram of a UDP socket).
	Egress Direction = "Egress"
	// Ingress: the observing workload accepted it (or received the first
	// datagram on a socket bound to a server port).
	Ingress Direction = "Ingress"
)

// Key identifies an edge of a baseline: everything of a flow but its counts
// and times. Flows with equal keys merge.
type Key struct {
	Workload  WorkloadRef     `json:"workload"`
	Direction Direction       `json:"direction"`
	Peer      Peer            `json:"peer"`
	Port      int32           `json:"port"`
	Protocol  corev1.Protocol `json:"protocol"`
	Process   string          `json:"process,omitempty"`
}

// Flow is one aggregated edge: how often the observing workload talked to a
// peer on a port, and when. Port is the server-side port after Service DNAT
// (the pod's target port), which is what a NetworkPolicy matches. Replies
// and ephemeral client ports are never flows.
type Flow struct {
	Key
	// Count is the number of connections (TCP) or of datagrams the client
	// side sent (UDP) seen.
	Count uint64 `json:"count"`
	// Failed is the number of connection attempts that never established
	// (TCP SYN_SENT → CLOSE: refused, timed out, or dropped by a policy) and
	// of UDP datagrams answered with an ICMP error; Failures says why, where
	// the observer could tell.
	Failed uint64 `json:"failed,omitempty"`
	Failures
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
}

// Merge adds o into f. It assumes equal keys; counts add (saturating at
// the maximum instead of wrapping) and the time span widens.
func (f *Flow) Merge(o Flow) {
	f.Count = saturatingAdd(f.Count, o.Count)
	f.Failed = saturatingAdd(f.Failed, o.Failed)
	f.Failures.Add(o.Failures)
	if f.FirstSeen.IsZero() || (!o.FirstSeen.IsZero() && o.FirstSeen.Before(f.FirstSeen)) {
		f.FirstSeen = o.FirstSeen
	}
	if o.LastSeen.After(f.LastSeen) {
		f.LastSeen = o.LastSeen
	}
}

func saturatingAdd(a, b uint64) uint64 {
	if s, carry := bits.Add64(a, b, 0); carry == 0 {
		return s
	}
	return math.MaxUint64
}
