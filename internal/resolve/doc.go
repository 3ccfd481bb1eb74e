// Package resolve turns addresses into Kubernetes names: a pod IP into the
// workload that owns the pod (walking ReplicaSet → Deployment and Job →
// CronJob), a Service ClusterIP and port into the Service's backend
// workloads and target port, node IPs and host-network pods into nodes, the
// kubernetes Service's endpoints into the API server, and anything else into
// an unresolved external peer.
//
// Pod IPs get reused, so an Index resolves by the time a flow was seen and
// keeps the IPs of deleted pods for a grace period. The Index is fed by
// informers (Watch) trimmed to the fields it needs; its methods are plain
// functions over that state, tested without a cluster. The server resolves
// cluster-wide; an observer indexes only its own node's pods.
package resolve
