package policy

import (
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// outcome is what a change does to one flow, over every pair of its ends
// (each address of each pod on both sides): a baseline's flow does not say
// which replica it reached, so one pair that was allowed and is blocked
// after the change makes the flow blocked.
type outcome struct {
	blocked bool
	// partial: some other pair allowed before stays allowed.
	partial bool
	// own, peer: the flow's own side, or the peer's, blocks some pair.
	own, peer bool
}

// sides are the policy directions of a flow's own end and of its peer's.
func sides(d flow.Direction) (self, peer networkingv1.PolicyType) {
	if d == flow.Ingress {
		return networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress
	}
	return networkingv1.PolicyTypeEgress, networkingv1.PolicyTypeIngress
}

// judge evaluates the flow at both ends. Pairs whose ends the change does
// not select keep their verdict; for the others the sides the change
// selects are evaluated after it first, and before it only when they block.
func (k *checker) judge(self, peer *ends, f *flow.Flow) outcome {
	selfDir, peerDir := sides(f.Direction)
	var o outcome
	pairs := 0
	for si := range self.eps {
		sAff := self.affected(si, selfDir)
		for pi := range peer.eps {
			pairs++
			pAff := peer.affected(pi, peerDir)
			if !sAff && !pAff {
				continue
			}
			conn := connectionOf(self.eps[si], peer.eps[pi], f)
			own := sAff && !k.allows(k.after, self, si, selfDir, conn)
			theirs := pAff && !k.allows(k.after, peer, pi, peerDir, conn)
			if (own || theirs) && k.allowedBefore(self, si, peer, pi, selfDir, conn, !sAff) {
				o.blocked, o.own, o.peer = true, o.own || own, o.peer || theirs
			}
		}
	}
	if o.blocked && pairs > 1 {
		o.partial = k.someStaysAllowed(self, peer, f)
	}
	return o
}

// allowedBefore is the verdict before the change at both ends. peerFirst
// evaluates the peer's end first: when only the peer is in the changed
// namespace, its policies are indexed already and often deny, which spares
// indexing the other namespace.
func (k *checker) allowedBefore(self *ends, si int, peer *ends, pi int, selfDir networkingv1.PolicyType, conn Connection, peerFirst bool) bool {
	peerDir := networkingv1.PolicyTypeIngress
	if selfDir == networkingv1.PolicyTypeIngress {
		peerDir = networkingv1.PolicyTypeEgress
	}
	if peerFirst {
		return k.allows(k.before, peer, pi, peerDir, conn) && k.allows(k.before, self, si, selfDir, conn)
	}
	return k.allows(k.before, self, si, selfDir, conn) && k.allows(k.before, peer, pi, peerDir, conn)
}

// someStaysAllowed reports whether a pair of the flow's ends is allowed
// both before and after the change.
func (k *checker) someStaysAllowed(self, peer *ends, f *flow.Flow) bool {
	selfDir, peerDir := sides(f.Direction)
	for si := range self.eps {
		for pi := range peer.eps {
			conn := connectionOf(self.eps[si], peer.eps[pi], f)
			if k.allowedBefore(self, si, peer, pi, selfDir, conn, false) &&
				k.allows(k.after, self, si, selfDir, conn) && k.allows(k.after, peer, pi, peerDir, conn) {
				return true
			}
		}
	}
	return false
}

// connectionOf is the flow as a connection between two of its ends.
func connectionOf(self, peer Endpoint, f *flow.Flow) Connection {
	conn := Connection{Source: self, Destination: peer, Port: f.Port, Protocol: protocolOf(f.Protocol)}
	if f.Direction == flow.Ingress {
		conn.Source, conn.Destination = peer, self
	}
	return conn
}
