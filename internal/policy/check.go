package policy

import (
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Operation is what a change does to a NetworkPolicy.
type Operation string

// The operations of a change, named as in admission requests.
const (
	Create Operation = "CREATE"
	Update Operation = "UPDATE"
	Delete Operation = "DELETE"
)

// Change is a proposed change to one NetworkPolicy. Old is set for Update
// and Delete, New for Create and Update.
type Change struct {
	Operation Operation
	Old       *networkingv1.NetworkPolicy
	New       *networkingv1.NetworkPolicy
}

// CheckInput is everything Check needs.
type CheckInput struct {
	Cluster *Cluster
	// Policies are the policies in force before the change (Old included).
	Policies []networkingv1.NetworkPolicy
	Change   Change
	// Baselines are those of the workloads the change touches (see
	// Touched) and of the workloads whose flows have a touched workload as
	// their peer: Check evaluates every flow at both ends, so a connection
	// that only its source saw (the destination's baseline empty, say) is
	// still found when the change blocks it at the destination. Other
	// baselines cost a scan and add nothing.
	Baselines []flow.Baseline
	// Adjustments are the user's decisions per workload.
	Adjustments map[flow.WorkloadRef]Adjustments
	// TextLimit, when positive, is how many findings get their Message and
	// Fix: those past the first TextLimit carry neither (every other field
	// is as without it; Excluded are always written). For a caller that
	// shows only the first few, such as an admission review's warnings:
	// the texts are most of what a finding costs. Zero writes them all.
	TextLimit int
}

// Class is the kind of pitfall a finding falls into.
type Class string

// The classes of findings.
const (
	ClassDNS       Class = "DNS"
	ClassExternal  Class = "External"
	ClassPeer      Class = "Peer"
	ClassAPIServer Class = "APIServer"
	ClassNode      Class = "Node"
	// ClassUnresolved: the peer address's owner at the flow's time is no
	// longer known (it may have been a pod); no ipBlock is advised for it.
	ClassUnresolved Class = "Unresolved"
)

// Finding is one observed flow that is allowed now and would be blocked
// after the change.
type Finding struct {
	Class Class `json:"class"`
	// Flow is the observed flow (workload, direction, peer, port, protocol,
	// process, count, first and last seen).
	Flow flow.Flow `json:"flow"`
	// Policy is the changed policy (namespace/name).
	Policy string `json:"policy"`
	// Message names the pitfall in one line, e.g. "egress to
	// kube-system/kube-dns UDP 53 (DNS) is not allowed".
	Message string `json:"message"`
	// Fix suggests the rule that would allow the flow.
	Fix string `json:"fix"`
	// PeerSide: the change blocks the flow at the peer's end too (the
	// peer's ingress for an egress flow, its egress for an ingress flow),
	// not only, or not at all, at the workload's own end.
	PeerSide bool `json:"peerSide,omitempty"`
	// OwnSideAllowed: the workload's own end still allows the flow; only
	// the peer's end blocks it.
	OwnSideAllowed bool `json:"ownSideAllowed,omitempty"`
	// Partial: the change blocks the flow between some of the pods'
	// addresses only (an ipBlock that splits replicas or address families).
	Partial bool `json:"partial,omitempty"`
}

// String is the finding as one line for an admission warning.
func (f Finding) String() string { return f.Message + ": " + f.Fix }

// Report is the result of Check, sorted deterministically.
type Report struct {
	// Findings are flows the change would block that the user did not
	// exclude: real problems.
	Findings []Finding `json:"findings"`
	// Excluded are flows the change would block to peers the user excluded
	// on purpose: not problems, listed apart.
	Excluded []Finding `json:"excluded"`
	// Failing are the failed connects of the flows the change concerns
	// (either end selected by the changed policy), judged under the
	// policies after the change: evidence that something is closed or
	// blocked, never flows to allow.
	Failing []FailedConnect `json:"failing,omitempty"`
	// AlsoIsolates, for a policy netpol-advisor recommended (labelled
	// app.kubernetes.io/managed-by: netpol-advisor, named after its
	// workload), lists the other workloads whose pods its podSelector
	// selects: it isolates them though it was not meant to. Their blocked
	// flows are among the findings when their baselines are given.
	AlsoIsolates []flow.WorkloadRef `json:"alsoIsolates,omitempty"`
}

// Check lists every flow of the baselines that Kubernetes allows under the
// current policies and would block after the change, at either end: the
// workload's own side or its peer's. A flow is judged at every pair of its
// ends (each address of each pod of both workloads) and reported when some
// pair is blocked (Finding.Partial when not all). Failed connects are never
// traffic to allow: a flow's failed count is not judged.
func Check(in CheckInput) Report {
	return check(in)
}

// Touched returns the workloads of the cluster whose pods the change's
// policy (old or new) selects, sorted: the baselines Check needs.
func Touched(cluster *Cluster, change Change) []flow.WorkloadRef {
	return touched(cluster, change)
}
