package policy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Pod is a side of a connection that is a pod: what policies can select and
// what named ports resolve against.
type Pod struct {
	Namespace string
	Labels    map[string]string
	// Ports are its named container ports (used when it is the destination).
	Ports []NamedPort
	// HostNetwork pods are never selected by policies and match peers only
	// by ipBlock, like node addresses.
	HostNetwork bool
}

// Endpoint is one side of a connection: a pod (with its IP, when known) or
// a bare address outside the pod network (Pod nil).
type Endpoint struct {
	Pod *Pod
	IP  netip.Addr
}

// Connection is one connection attempt as the destination sees it: after
// Service DNAT, so Port is the pod's target port.
type Connection struct {
	Source      Endpoint
	Destination Endpoint
	Port        int32
	// Protocol defaults to TCP when empty.
	Protocol corev1.Protocol
}

// Verdict says whether Kubernetes allows a connection and why.
type Verdict struct {
	// Allowed is Egress.Allowed && Ingress.Allowed.
	Allowed bool
	// Egress is the verdict at the source, Ingress at the destination.
	Egress  Side
	Ingress Side
}

// Side is the verdict of one direction at one pod.
type Side struct {
	// Isolated: at least one policy selects the pod for this direction.
	Isolated bool
	// Allowed: the pod is not isolated, or a rule allows the connection.
	// A side that is not a pod (or is host network) is always allowed.
	Allowed bool
	// AllowedBy lists every rule that allows the connection.
	AllowedBy []RuleRef
	// Isolating lists the policies (namespace/name) that isolate the pod for
	// this direction without allowing the connection.
	Isolating []string
}

// RuleRef names one rule of a policy: Rule is the index in spec.ingress or
// spec.egress (by the direction of the Side it appears in).
type RuleRef struct {
	Policy string
	Rule   int
}

// Evaluate says whether Kubernetes allows conn under policies, given the
// namespaces' labels (a namespace missing from the map carries only
// kubernetes.io/metadata.name). It compiles the policies on every call;
// use NewEvaluator to evaluate many connections.
func Evaluate(policies []networkingv1.NetworkPolicy, namespaces map[string]map[string]string, conn Connection) Verdict {
	return NewEvaluator(policies, namespaces).Evaluate(conn)
}
