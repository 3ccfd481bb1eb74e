// Package convert turns the core's plain types (flows, peers, findings,
// adjustments) into the netpol-advisor.io/v1alpha1 API's and back, for the
// aggregated API server and for the CLI's offline check, so both speak one
// form.
package convert
