// Package inventory builds the snapshot of the cluster that the policy core
// reasons about (policy.Cluster), plus the NetworkPolicies in force and the
// user's adjustments of every workload, from a controller-runtime client or
// cache.
//
// Workloads come from their controllers' pod templates (Deployments,
// StatefulSets, DaemonSets, CronJobs, Jobs and ReplicaSets without owner), so a
// workload is known before its first pod runs; pods add their addresses,
// found by walking their controller references (Pod → ReplicaSet →
// Deployment, Pod → Job → CronJob). Pods without controller are workloads of
// their own. The cluster DNS is the kube-dns Service's selector, the API
// server the endpoints of the kubernetes Service.
//
// Building a snapshot lists every object of those kinds, so handlers share
// one through Cached, rebuilt at most once per MaxAge.
package inventory
