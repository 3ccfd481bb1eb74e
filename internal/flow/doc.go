// Package flow holds the plain types that every part of netpol-advisor shares:
// a flow record (one observed edge of a workload, aggregated), the peer at its
// other end, the workload that observed it, and a baseline of flows over a
// time window.
//
// The package is pure: it imports only the standard library and k8s.io/api
// types, and does no I/O. The observer produces flows, the stores keep them,
// the policy core consumes them.
package flow
