// Package inventory keeps the cluster as the policy core reasons about it
// (policy.Cluster), plus the NetworkPolicies in force and the user's
// adjustments of every workload, current from informer events (Index).
//
// Workloads come from their controllers' pod templates (Deployments,
// StatefulSets, DaemonSets, CronJobs, and ReplicaSets and Jobs without a
// controller), so a workload is known before its first pod runs; each
// running pod adds itself with its own labels (pod-only ones included) and
// all its addresses, under the workload the one owner walk of
// resolve.Owners gives (any controller chain: Pod → ReplicaSet → Rollout
// works as Pod → ReplicaSet → Deployment does). Pods without a controller
// are workloads of their own. The cluster DNS is the kube-dns Service's
// selector, the API server the endpoints of the kubernetes Service, and
// every Service's selector is kept for Services without endpoints.
//
// An event updates the objects it names and marks the workloads it
// changes; Snapshot rebuilds only those and shares the result until the
// next change. Current adds, for a review of a NetworkPolicy, that
// namespace's labels, policies and adjustments read from the API server
// itself, since the informers may lag a write by milliseconds.
package inventory
