package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// classDescriptions are the words a message uses for each class.
var classDescriptions = map[Class]string{
	ClassDNS:        "DNS",
	ClassExternal:   "external address",
	ClassPeer:       "in-cluster peer",
	ClassAPIServer:  "API server",
	ClassNode:       "node or host-network pod",
	ClassUnresolved: "address no longer resolvable: its owner when the flow was seen is unknown",
}

// classify puts a flow in the class of its pitfall.
func classify(c *Cluster, f flow.Flow) Class {
	if _, ok := dnsTarget(c, f); ok {
		return ClassDNS
	}
	if f.Peer.Kind == flow.PeerAPIServer || f.Peer.Kind != flow.PeerWorkload && c.isAPIServer(f.Peer.IP) {
		return ClassAPIServer
	}
	switch f.Peer.Kind {
	case flow.PeerExternal:
		return ClassExternal
	case flow.PeerNode:
		return ClassNode
	case flow.PeerNodeLocalDNS:
		return ClassDNS
	case flow.PeerUnresolved:
		return ClassUnresolved
	}
	if w, ok := c.Workloads[f.Peer.Workload]; ok && w.HostNetwork {
		return ClassNode
	}
	return ClassPeer
}

func newFinding(sels *selections, self flow.WorkloadRef, f flow.Flow, policy string, o outcome) Finding {
	fd := bareFinding(sels.c, f, policy, o)
	fd.Message, fd.Fix = findingTexts(sels, self, fd.Class, fd.Flow, o)
	return fd
}

// findingTexts are a finding's message and fix.
func findingTexts(sels *selections, self flow.WorkloadRef, class Class, f flow.Flow, o outcome) (msg, fix string) {
	verb, rule, peerSide := verbOf(f.Direction), "add an egress rule to ", "ingress"
	if f.Direction == flow.Ingress {
		rule, peerSide = "add an ingress rule from ", "egress"
	}
	msg = verb + " " + peerName(class, f) + " " + onPort(f.Protocol, f.Port) + " (" + classDescriptions[class] + ") is not allowed" // Sprintf's cost, once per finding, showed
	switch {
	case o.own && o.peer:
		msg += ", nor at the peer's " + peerSide
	case o.peer:
		msg += " at the peer's " + peerSide
	}
	if o.own {
		fix = rule + fixTarget(sels, self, class, f)
	}
	if o.peer && fix != "" {
		fix += "; and " + peerFix(sels, self, f)
	} else if o.peer {
		fix = peerFix(sels, self, f)
	}
	if o.partial {
		msg += " for some of the pods' addresses"
	}
	return msg, fix
}

// onPort is the flow's protocol and port as messages name them, e.g.
// "TCP 8080".
func onPort(proto corev1.Protocol, port int32) string {
	return string(protocolOf(proto)) + " " + strconv.FormatInt(int64(port), 10)
}

// verbOf is how a message names a flow's direction.
func verbOf(d flow.Direction) string {
	if d == flow.Ingress {
		return "ingress from"
	}
	return "egress to"
}

// peerFix names the rule the peer workload's policies need: the flow as
// the peer sees it.
func peerFix(sels *selections, self flow.WorkloadRef, f flow.Flow) string {
	peer := f.Peer.Workload
	mirror := flow.Flow{Key: flow.Key{Workload: peer, Direction: flow.Egress,
		Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: self}, Port: f.Port, Protocol: f.Protocol}}
	rule := "add an egress rule to " + peer.Namespace + "/" + peer.Name + "'s policies to "
	if f.Direction == flow.Egress {
		mirror.Direction = flow.Ingress
		rule = "add an ingress rule to " + peer.Namespace + "/" + peer.Name + "'s policies from "
	}
	return rule + fixTarget(sels, peer, classify(sels.c, mirror), mirror)
}

func peerName(class Class, f flow.Flow) string {
	switch {
	case class == ClassDNS && !f.Peer.Service.IsZero():
		return f.Peer.Service.Namespace + "/" + f.Peer.Service.Name
	case f.Peer.Kind == flow.PeerWorkload:
		return f.Peer.Workload.Namespace + "/" + f.Peer.Workload.Name
	case f.Peer.Kind == flow.PeerService:
		return "service " + f.Peer.Service.Namespace + "/" + f.Peer.Service.Name
	}
	return f.Peer.String()
}

// fixTarget names the rule's peer and ports that would allow the flow.
func fixTarget(sels *selections, self flow.WorkloadRef, class Class, f flow.Flow) string {
	var adj Adjustments
	if f.Peer.IP.IsValid() {
		adj.Allow = []AllowCIDR{{CIDR: netip.PrefixFrom(f.Peer.IP, f.Peer.IP.BitLen())}}
	}
	if class == ClassUnresolved {
		return fmt.Sprintf("whatever held %s when the flow was seen on %s %d (no longer known; not an ipBlock: it may have been a pod)", f.Peer.IP, protocolOf(f.Protocol), f.Port)
	}
	ts, ok := targetsFor(sels, self, f, adj)
	if !ok {
		return fmt.Sprintf("%s on %s %d", f.Peer, protocolOf(f.Protocol), f.Port)
	}
	if ts[0].dns {
		return ts[0].describe() + " on UDP and TCP 53"
	}
	s := describeTargets(ts) + " on " + onPort(f.Protocol, f.Port)
	switch class {
	case ClassExternal:
		s += ", or exclude the peer if it is no longer needed"
	case ClassAPIServer:
		s += " (the API server endpoint, not the kubernetes Service's ClusterIP)"
	case ClassNode:
		s += " (no pod or namespace selector can match it)"
	}
	return s
}

// sameEdge reports whether two keys differ at most in their process.
func sameEdge(a, b flow.Key) bool {
	a.Process, b.Process = "", ""
	return a == b
}

// setProcesses names the merged finding's processes: sorted, each once.
func setProcesses(fd *Finding, sorted []string) {
	fd.Flow.Process = strings.Trim(strings.Join(slices.Compact(sorted), ","), ",")
}

// Describe renders the finding as one warning line with its workload,
// counts and process.
func (f Finding) Describe() string {
	s := fmt.Sprintf("%s: %s (%d connections, last seen %s", f.Flow.Workload, f.Message, f.Flow.Count, f.Flow.LastSeen.UTC().Format(time.RFC3339))
	if f.Flow.Process != "" {
		s += ", process " + f.Flow.Process
	}
	return s + "): " + f.Fix
}

// foldServicePeers folds a finding whose peer is a Service that had no
// endpoints into the finding of the same workload, direction, port and
// protocol that needs the very same rule (its backends, seen once the
// endpoints existed): one blocked destination, one line, counts merged.
func foldServicePeers(in []Finding) []Finding {
	type dest struct {
		self      flow.WorkloadRef
		direction flow.Direction
		port      int32
		protocol  string
		fix       string
	}
	if !slices.ContainsFunc(in, func(f Finding) bool { return f.Flow.Peer.Kind == flow.PeerService }) {
		return in // nothing to fold: spare the index of every finding
	}
	keyOf := func(f Finding) dest {
		return dest{f.Flow.Workload, f.Flow.Direction, f.Flow.Port, string(f.Flow.Protocol), f.Fix}
	}
	byDest := map[dest]int{}
	for i, f := range in {
		if f.Flow.Peer.Kind == flow.PeerWorkload {
			byDest[keyOf(f)] = i
		}
	}
	out := in[:0:0]
	for _, f := range in {
		if i, ok := byDest[keyOf(f)]; ok && f.Flow.Peer.Kind == flow.PeerService {
			in[i].Flow.Merge(f.Flow)
		}
	}
	for _, f := range in {
		if _, ok := byDest[keyOf(f)]; !ok || f.Flow.Peer.Kind != flow.PeerService {
			out = append(out, f)
		}
	}
	return out
}
