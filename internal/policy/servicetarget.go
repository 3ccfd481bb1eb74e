package policy

import (
	"errors"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// ErrUnresolvedTargetPort: a Service without endpoints targets a port by
// name and no pod or pod template its selector picks declares that name,
// so no rule can name the port its backends will listen on.
var ErrUnresolvedTargetPort = errors.New("named target port not declared by any pod the Service selects")

// servicePorts returns the target ports a flow to a Service that had no
// endpoints reaches (PeerService). The resolver records such a flow at the
// Service's numeric target port, but a named target port only endpoints
// resolve: here it is resolved on the selected workloads' pods and pod
// templates (a Deployment scaled to zero still has its template). Other
// flows, and Services the snapshot does not know, keep the port seen.
func (c *Cluster) servicePorts(f *flow.Flow) ([]int32, error) {
	if f.Peer.Kind != flow.PeerService {
		return []int32{f.Port}, nil
	}
	svc := flow.ServiceRef{Namespace: f.Peer.Service.Namespace, Name: f.Peer.Service.Name}
	sp, ok := findServicePort(c.ServicePorts[svc], f.Peer.Service.Port, protocolOf(f.Protocol))
	if !ok {
		return []int32{f.Port}, nil
	}
	switch {
	case sp.TargetPort.Type == intstr.String && sp.TargetPort.StrVal != "":
		return c.namedTarget(svc, sp)
	case sp.TargetPort.IntVal != 0:
		return []int32{sp.TargetPort.IntVal}, nil
	}
	return []int32{sp.Port}, nil
}

func findServicePort(ports []corev1.ServicePort, port int32, proto corev1.Protocol) (corev1.ServicePort, bool) {
	for _, p := range ports {
		if p.Port == port && protocolOf(p.Protocol) == proto {
			return p, true
		}
	}
	return corev1.ServicePort{}, false
}

// namedTarget resolves the Service port's target name on every workload
// of the Service's namespace whose pods (or template) the selector picks;
// backends that number the name differently give several ports.
func (c *Cluster) namedTarget(svc flow.ServiceRef, sp corev1.ServicePort) ([]int32, error) {
	name, proto := sp.TargetPort.StrVal, protocolOf(sp.Protocol)
	var out []int32
	for _, np := range c.backendPorts(svc) {
		if np.Name == name && protocolOf(np.Protocol) == proto && !slices.Contains(out, np.Port) {
			out = append(out, np.Port)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("service %s/%s port %d/%s targets the port named %q: %w; name that container port in the backends' pod template or give the Service a numeric targetPort",
			svc.Namespace, svc.Name, sp.Port, proto, name, ErrUnresolvedTargetPort)
	}
	slices.Sort(out)
	return out, nil
}

// backendPorts are the named container ports of the workloads in the
// Service's namespace whose pods (or template) its selector picks: those
// its backends will have when they run.
func (c *Cluster) backendPorts(svc flow.ServiceRef) []NamedPort {
	sel := c.Services[svc]
	if len(sel) == 0 {
		return nil
	}
	s := labels.SelectorFromSet(sel)
	var out []NamedPort
	for _, w := range c.Workloads {
		if w.Ref.Namespace == svc.Namespace && picks(s, w) {
			out = append(out, w.Ports...)
		}
	}
	return out
}

// picks reports whether the selector picks the workload's template labels
// or any of its running pods.
func picks(s labels.Selector, w Workload) bool {
	if s.Matches(labels.Set(w.Labels)) {
		return true
	}
	return slices.ContainsFunc(w.Pods, func(p PodInfo) bool { return p.Labels != nil && s.Matches(labels.Set(p.Labels)) })
}
