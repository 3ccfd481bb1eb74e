// Package promapi reads a real Prometheus server through its HTTP API
// (/-/ready, /api/v1/query, /api/v1/alerts) and rewrites the product's
// alert rules with a short `for:`, so that the end-to-end tests and the
// demo see alerts fire within seconds. Only what both need; nothing here
// knows the product's metrics.
package promapi
