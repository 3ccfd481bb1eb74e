// Package config holds the product's two webhook configurations as Go
// objects: the mutating one on Deployments and the validating one on
// NetworkPolicies. Both fail open (failurePolicy Ignore), answer within
// timeoutSeconds 3, declare sideEffects None, speak admission/v1 only and
// skip the product's own namespace. The Helm chart installs them
// (charts/netpol-advisor/templates/webhooks.yaml); test/chart checks that
// what it renders means these objects, for the Service and namespace the
// server's flags name.
package config
