package policy

import (
	"fmt"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// FailedConnect is the failed part of a flow: connection attempts that
// never established. It is evidence that something is closed or blocked,
// for the failing-connections metric and the user's view, and never
// traffic to allow.
type FailedConnect struct {
	Class Class `json:"class"`
	// Flow is the flow: Failed counts the attempts that failed, Count the
	// connects that succeeded.
	Flow flow.Flow `json:"flow"`
	// Refused, TimedOut and Unreachable split Failed as the observer told
	// them apart: a reset (nothing listens on the port), no answer (the peer
	// is down, or something drops the SYN, as most NetworkPolicy enforcers
	// do) or an ICMP error (something on the way rejects them, or there is
	// no route). Attempts beyond their sum are of unknown kind.
	Refused     uint64 `json:"refused,omitempty"`
	TimedOut    uint64 `json:"timedOut,omitempty"`
	Unreachable uint64 `json:"unreachable,omitempty"`
	// BlockedBy names the policies (namespace/name) that block the
	// connection at either end under the policies it was judged with
	// (Check: those after the change). Empty: NetworkPolicy allows it, the
	// failure comes from elsewhere.
	BlockedBy []string `json:"blockedBy,omitempty"`
	// Message says it in one line, e.g. "connects to shop/web TCP 9999 are
	// failing (1 failed, 0 succeeded): ...".
	Message string `json:"message"`
}

// Failing lists the failed connects of the baselines, each with the
// policies that block it (at either end, at any pair of addresses), sorted
// by flow key.
func Failing(cluster *Cluster, policies []networkingv1.NetworkPolicy, baselines []flow.Baseline) []FailedConnect {
	k := newChecker(CheckInput{Cluster: cluster, Policies: policies})
	var out []FailedConnect
	for _, b := range baselines {
		self := k.workload(b.Workload)
		if self == nil {
			continue
		}
		for i := range b.Flows {
			f := &b.Flows[i]
			if f.Failed == 0 {
				continue
			}
			if peer := k.peer(f); peer != nil {
				out = append(out, k.failed(self, peer, f))
			}
		}
	}
	sortFailing(out)
	return out
}

// failed describes the failed part of f under the policies after the
// change.
func (k *checker) failed(self, peer *ends, f *flow.Flow) FailedConnect {
	fc := FailedConnect{Class: classify(k.cluster, *f), Flow: *f, BlockedBy: k.blockers(self, peer, f)}
	fc.Refused, fc.TimedOut, fc.Unreachable = f.Refused, f.TimedOut, f.Unreachable
	verb, peerName := "to", peerName(fc.Class, *f)
	if f.Direction == flow.Ingress {
		verb = "from"
	}
	fc.Message = fmt.Sprintf("connects %s %s %s %d are failing (%d failed, %d succeeded): %s",
		verb, peerName, protocolOf(f.Protocol), f.Port, f.Failed, f.Count, fc.reason())
	return fc
}

// blockers are the policies that isolate an end of some pair of the flow's
// ends without allowing the connection, sorted.
func (k *checker) blockers(self, peer *ends, f *flow.Flow) []string {
	selfDir, peerDir := sides(f.Direction)
	var out []string
	for _, s := range self.eps {
		for _, p := range peer.eps {
			conn := connectionOf(s, p, f)
			out = append(out, k.isolating(s, selfDir, conn)...)
			out = append(out, k.isolating(p, peerDir, conn)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (k *checker) isolating(ep Endpoint, dir networkingv1.PolicyType, conn Connection) []string {
	p := selectable(ep)
	if p == nil {
		return nil
	}
	s := side(k.after.selecting(p), dir, conn, k.cluster.Namespaces)
	if s.Allowed {
		return nil
	}
	return s.Isolating
}

// reason says what the failures are evidence of.
func (fc FailedConnect) reason() string {
	switch {
	case len(fc.BlockedBy) > 0:
		return "NetworkPolicy blocks them (" + strings.Join(fc.BlockedBy, ", ") + ")"
	case fc.Refused == fc.Flow.Failed:
		return "refused: nothing listens on the port"
	case fc.TimedOut == fc.Flow.Failed:
		return "timed out: the peer may be down, or something on the way drops them"
	case fc.Unreachable == fc.Flow.Failed:
		return "unreachable: something on the way rejects them with an ICMP error, or there is no route to the peer"
	}
	return "no NetworkPolicy blocks them: nothing may listen on the port, the peer may be down, or something else drops them"
}

func sortFailing(fcs []FailedConnect) {
	slices.SortFunc(fcs, func(a, b FailedConnect) int { return flow.CompareKeys(a.Flow.Key, b.Flow.Key) })
}
