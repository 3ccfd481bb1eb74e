// Package resolve turns addresses into Kubernetes names: a pod IP into the
// workload that owns the pod (Owners: the one owner walk, up any chain of
// controllers through the ReplicaSets and Jobs it watches), a Service
// ClusterIP and port into the Service's backend workloads and target port
// (a Service without endpoints stays a Service peer), node IPs and
// host-network pods into nodes, the kubernetes Service's endpoints into the
// API server, NodeLocal DNSCache's address into node-local DNS, and
// anything else into an external peer — or an unresolved one, when the
// flow is older than the history the index holds and the address may have
// been a pod's.
//
// Pod IPs get reused, so an Index resolves by the time a flow was seen and
// keeps the IPs of deleted pods for a grace period. The Index is fed by
// informers (Register on a shared cache, or Watch with its own) trimmed to
// the fields it needs; its methods are plain functions over that state,
// tested without a cluster. The server resolves cluster-wide; an observer
// indexes only its own node's pods and names them by their own controller,
// which the server lifts to the workload (Lift).
package resolve
