package v1alpha1

import (
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Baseline is what one workload was seen doing over a window: every
// observed connection it accepted (ingress) or made (egress), merged by peer,
// port, protocol and process. Its name is the workload's name, or
// kind.name (deployment.shop) where two workloads of a namespace share one.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type Baseline struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Workload WorkloadReference `json:"workload"`
	Window   Window            `json:"window"`
	Ingress  []Flow            `json:"ingress"`
	Egress   []Flow            `json:"egress"`
	// Context is what a check needs to judge these flows without the
	// cluster (netpol-advisor check --baseline): labels and the stored
	// adjustments.
	Context *BaselineContext `json:"context,omitempty"`
}

// BaselineContext holds the labels NetworkPolicies select on, for the
// workload and each workload peer, and the workload's stored adjustments.
type BaselineContext struct {
	// Labels are the labels of the workload's pods.
	Labels map[string]string `json:"labels,omitempty"`
	// Namespaces are the labels of every namespace the flows touch.
	Namespaces map[string]map[string]string `json:"namespaces,omitempty"`
	// Peers are the pod labels of each workload peer, by namespace/Kind/name.
	Peers map[string]map[string]string `json:"peers,omitempty"`
	// Adjustments are those stored on the workload.
	Adjustments Adjustments `json:"adjustments,omitempty"`
}

// BaselineList is a list of baselines.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type BaselineList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	Items []Baseline `json:"items"`
}

// WorkloadReference names the owner of a workload's pods in its namespace.
type WorkloadReference struct {
	// Kind is Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod (or
	// another controller kind that owns the pods).
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Window is the time range a baseline covers; a missing from means since
// the oldest data kept, a missing to means until now.
type Window struct {
	From *metav1.Time `json:"from,omitempty"`
	To   *metav1.Time `json:"to,omitempty"`
}

// Flow is one observed edge of a workload.
type Flow struct {
	Peer Peer `json:"peer"`
	// Port is the server-side port after Service DNAT: what a
	// NetworkPolicy matches.
	Port     int32  `json:"port"`
	Protocol string `json:"protocol"`
	// Process is the name of the process that opened or accepted the
	// connection, as the node's kernel reported it (escaped).
	Process string `json:"process,omitempty"`
	// Count is the number of connections (TCP) or exchanges (UDP) seen.
	Count int64 `json:"count"`
	// Failed is the number of attempts that never established: evidence
	// that something is closed or blocked, never traffic to allow.
	Failed int64 `json:"failed,omitempty"`
	// Refused, TimedOut and Unreachable say why attempts failed, where the
	// observer could tell (they add up to at most Failed; the rest are of
	// unknown kind): refused (answered with a reset or ICMP port
	// unreachable: nothing listens, or something rejects), timed out (no
	// answer: the peer is down, or something drops them), unreachable (any
	// other ICMP error).
	Refused     int64       `json:"refused,omitempty"`
	TimedOut    int64       `json:"timedOut,omitempty"`
	Unreachable int64       `json:"unreachable,omitempty"`
	FirstSeen   metav1.Time `json:"firstSeen"`
	LastSeen    metav1.Time `json:"lastSeen"`
}

// Peer is the other end of a flow.
type Peer struct {
	// Kind is Workload, Node, APIServer or External.
	Kind string `json:"kind"`
	// Namespace, WorkloadKind and Name name a workload peer.
	Namespace    string `json:"namespace,omitempty"`
	WorkloadKind string `json:"workloadKind,omitempty"`
	Name         string `json:"name,omitempty"`
	// Service is the Service (namespace/name:port) the connection went
	// through, when it used a ClusterIP; ServiceRef is the same, by field.
	Service    string            `json:"service,omitempty"`
	ServiceRef *ServiceReference `json:"serviceRef,omitempty"`
	// IP is the address of a node, API server or external peer.
	IP string `json:"ip,omitempty"`
	// Node is the node's name for a node peer, when known.
	Node string `json:"node,omitempty"`
	// Display is the peer as people read it.
	Display string `json:"display"`
	// Resolved is false for addresses outside the cluster.
	Resolved bool `json:"resolved"`
}

// ServiceReference names a Service and the port a client used.
type ServiceReference struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Port      int32  `json:"port,omitempty"`
}

// Recommendation is the minimal NetworkPolicy that allows what a workload
// was seen doing over a window, with the adjustments stored on the
// workload (allowed CIDRs, excluded peers) applied.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type Recommendation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Workload WorkloadReference          `json:"workload"`
	Window   Window                     `json:"window"`
	Policy   networkingv1.NetworkPolicy `json:"policy"`
	// Flows is how many observed flows the recommendation covers.
	Flows int32 `json:"flows"`
	// Notes say what the recommendation left out and why.
	Notes []string `json:"notes,omitempty"`
}

// RecommendationList is a list of recommendations.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type RecommendationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	Items []Recommendation `json:"items"`
}

// Topology is a workload's neighbourhood as a graph: the workload, its
// peers as nodes, and one edge per direction, peer, port and protocol.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type Topology struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Workload WorkloadReference `json:"workload"`
	Window   Window            `json:"window"`
	Nodes    []TopologyNode    `json:"nodes"`
	Edges    []TopologyEdge    `json:"edges"`
}

// TopologyList is a list of topologies.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type TopologyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	Items []Topology `json:"items"`
}

// TopologyNode is a workload, a Service, a node, the API server or an
// external address.
type TopologyNode struct {
	// ID is unique in the topology; edges refer to it.
	ID   string `json:"id"`
	Peer Peer   `json:"peer"`
}

// TopologyEdge is a connection between two nodes (From opened it).
type TopologyEdge struct {
	From      string      `json:"from"`
	To        string      `json:"to"`
	Port      int32       `json:"port"`
	Protocol  string      `json:"protocol"`
	Processes []string    `json:"processes,omitempty"`
	Count     int64       `json:"count"`
	Failed    int64       `json:"failed,omitempty"`
	LastSeen  metav1.Time `json:"lastSeen"`
}
