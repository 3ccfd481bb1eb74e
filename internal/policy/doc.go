// Package policy is the NetworkPolicy core of netpol-advisor: exact
// evaluation of Kubernetes NetworkPolicies (Evaluate), a minimal policy
// recommended from a workload's baseline (Recommend), and the check that
// lists the observed flows a proposed policy change would block (Check).
//
// The package is pure: it imports only the standard library, k8s.io/api and
// k8s.io/apimachinery types and internal/flow. It does no I/O and does not
// log. The cluster it reasons about is a plain snapshot (Cluster) that the
// adapters build from informers; the user's wishes are plain data
// (Adjustments).
//
// Semantics follow the NetworkPolicy API reference and the upstream e2e
// suite (test/e2e/network/netpol, transcribed in testdata/conformance):
// policies are allow-only and additive, a connection needs egress allowed
// at its source and ingress allowed at its destination, label selectors are
// apimachinery's (NotIn and DoesNotExist match a missing key), named ports
// resolve on the destination pod, and policies see the pod's target port
// after Service DNAT.
//
// Failed connects (a flow's Failed count) are evidence that something is
// closed or blocked and never traffic to allow: Recommend and Check judge
// only connects that succeeded, and Check and Failing list failed ones
// apart (FailedConnect). Check judges every flow at both of its ends and at
// every address of every pod (Workload.Pods); PeerIndex finds the other
// workloads' flows to the touched ones. Recommended selectors leave out
// other workloads' pods (distinct.go).
//
// Where things are: cluster.go, endpoints.go and adjust.go hold the input
// types; evaluate.go, evaluator.go, compile.go, selector.go, match.go and
// nsindex.go evaluate; recommend*.go, target.go, distinct.go, dns.go and
// rules.go recommend; check*.go, checker.go, judge.go, policyset.go,
// peerindex.go, findings.go and failing.go check.
package policy
