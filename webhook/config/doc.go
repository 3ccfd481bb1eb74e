// Package config holds the product's two webhook configurations as Go
// objects: the mutating one on every workload kind (webhook/workloads:
// Deployments, StatefulSets, DaemonSets, ReplicaSets, CronJobs, Jobs, Pods;
// only objects without a controller, by a matchCondition) and the
// validating one on NetworkPolicies. Both fail open (failurePolicy Ignore),
// answer within timeoutSeconds 3, declare sideEffects None, speak
// admission/v1 only and skip the product's own namespace. webhooks.yaml is
// the same objects for the default install (namespace netpol-advisor, Service
// netpol-advisor-webhook, every namespace annotated), kept equal by a test.
// The Helm chart renders them from its values
// (charts/netpol-advisor/templates/webhooks.yaml); test/chart checks that
// they mean these objects for the Service and namespace the server's flags
// name.
//
// Narrowing annotation to some namespaces (the server's
// --annotate-namespace-selector) is Options.AnnotateNamespaces: its
// matchLabels and matchExpressions are added to the mutating webhook's
// namespaceSelector, next to the expression that excludes the product's own
// namespace. A chart renders the same from one LabelSelector value: that
// value with the exclusion appended to its matchExpressions as the
// namespaceSelector, and toJson of the value as the flag (the flag takes
// the JSON form as well as kubectl's selector syntax).
package config
