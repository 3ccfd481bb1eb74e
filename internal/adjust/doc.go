// Package adjust reads and writes the user's adjustments to a workload's
// recommendation (allow a CIDR under an alias, exclude a peer) as they are
// stored declaratively: one annotation on the workload object
// (netpol-advisor.io/adjustments). Recommend, Check, the CLI and the UI all
// read them through this package, so they agree on what the user decided.
//
// The annotation value is YAML or JSON, for example
//
//	allow:
//	- {cidr: 203.0.113.7/32, alias: external-mongodb}
//	exclude:
//	- workload: {kind: Deployment, name: example-java-app-cassandra}
//	- cidr: 203.0.113.0/24
//
// An excluded workload without a namespace is in the annotated workload's
// namespace.
package adjust
