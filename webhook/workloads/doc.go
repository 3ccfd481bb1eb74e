// Package workloads is the one list of the object kinds that carry a
// workload's recommendation (Deployment, StatefulSet, DaemonSet, ReplicaSet,
// CronJob, Job, Pod), shared by the mutating webhook, the annotator and the
// webhook configuration, so all kinds are treated alike.
//
// An object is a workload when it is the top of its controller chain: it
// has no controller owner reference. A ReplicaSet of a Deployment, a Job of
// a CronJob or a Pod of any controller is not: its pods' flows are kept
// under the top-level owner, and the recommendation is written there. A
// CronJob's recommendation selects labels its Jobs' pods all carry, never
// the per-run job-name or controller-uid.
//
// Scope says which namespaces' workloads the product may annotate
// (--annotate-namespace-selector).
package workloads
