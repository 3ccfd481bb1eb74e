// Package api is the server's read API: JSON over HTTPS with the baseline
// and the topology of a workload or of a namespace over a window.
//
// Callers authenticate with a bearer token (checked by TokenReview) and are
// authorised per namespace by a SubjectAccessReview for the verb get on
// baselines.netpol-advisor.io in that namespace (cluster-wide for every
// namespace), so clusters grant access with ordinary RBAC. The API reads
// through store.Reader, like the webhook and the CLI.
package api
