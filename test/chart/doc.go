// Package chart tests the Helm chart charts/netpol-advisor as helm renders
// it: helm lint, golden files of helm template for two value sets (-update
// rewrites them), every rendered object accepted by a real kube-apiserver
// (server-side dry run), values the schema refuses with a clear message,
// and the names the webhook configurations, the Service and the server's
// flags share. The install onto a real cluster is TestChartOnCluster in
// internal/testutil/cluster.
package chart
