// Package metricsserver serves a Prometheus registry on /metrics over
// plain HTTP, the same way for the server and the observer binaries.
package metricsserver
