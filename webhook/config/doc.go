// Package config holds the product's two webhook configurations as Go
// objects: the mutating one on Deployments and the validating one on
// NetworkPolicies. Both fail open (failurePolicy Ignore), answer within
// timeoutSeconds 3, declare sideEffects None, speak admission/v1 only and
// skip the product's own namespace. webhooks.yaml is the same objects for
// the default install (namespace netpol-advisor), kept equal by a test, for
// the Helm chart to reuse.
package config
