// Package ui serves netpol-advisor's page on loopback for one person: the
// embedded page (assets/, built from web/ by esbuild) and a small JSON API
// that reads the aggregated API and writes the adjustments annotation with
// the person's own kubeconfig credentials, so Kubernetes RBAC decides what
// they see and change. Like kubectl proxy it adds no credentials; unlike it,
// every request must carry the random session token of the printed URL and
// come to a loopback Host from no other Origin (DNS rebinding, cross-site
// requests).
package ui
