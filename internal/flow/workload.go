package flow

import "fmt"

// Kind is the kind of the object that owns a workload's pods, after walking
// owner references up to the top (ReplicaSet → Deployment, Job → CronJob).
type Kind string

// The workload kinds netpol-advisor resolves pods to. A pod without a known
// controller is its own workload (KindPod).
const (
	KindDeployment  Kind = "Deployment"
	KindStatefulSet Kind = "StatefulSet"
	KindDaemonSet   Kind = "DaemonSet"
	KindJob         Kind = "Job"
	KindCronJob     Kind = "CronJob"
	KindReplicaSet  Kind = "ReplicaSet"
	KindPod         Kind = "Pod"
)

// WorkloadRef names a workload. It is comparable and used as a map key.
type WorkloadRef struct {
	Namespace string `json:"namespace"`
	Kind      Kind   `json:"kind"`
	Name      string `json:"name"`
}

// String renders the reference as namespace/Kind/name.
func (w WorkloadRef) String() string {
	return fmt.Sprintf("%s/%s/%s", w.Namespace, w.Kind, w.Name)
}

// IsZero reports whether the reference names nothing.
func (w WorkloadRef) IsZero() bool { return w == WorkloadRef{} }

// ServiceRef names a Service and the Service port a client used. The port a
// NetworkPolicy must allow is the backend's target port, kept in Flow.Port;
// the Service port is kept for display only.
type ServiceRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Port      int32  `json:"port,omitempty"`
}

// IsZero reports whether the reference names nothing.
func (s ServiceRef) IsZero() bool { return s == ServiceRef{} }

// String renders the reference as namespace/name:port.
func (s ServiceRef) String() string {
	if s.Port == 0 {
		return s.Namespace + "/" + s.Name
	}
	return fmt.Sprintf("%s/%s:%d", s.Namespace, s.Name, s.Port)
}
