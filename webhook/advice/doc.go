// Package advice is what the admission webhooks and the annotator controller
// ask of the policy core: the recommendation for one workload, as the two
// annotations the product puts on it, and the check of a NetworkPolicy
// change against the baselines of the workloads it touches.
//
// It reads baselines and the cluster through two small interfaces
// (Baselines, Inventory) and never sees how they are stored. It does no
// Kubernetes I/O of its own.
package advice
