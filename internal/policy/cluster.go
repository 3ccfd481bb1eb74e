package policy

import (
	"maps"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// MetadataNameLabel is the label the API server puts on every namespace with
// its name; recommendations select namespaces by it.
const MetadataNameLabel = "kubernetes.io/metadata.name"

// churningLabels change on every rollout; a selector on them would stop
// matching after the next one.
var churningLabels = []string{"pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"}

// Cluster is the snapshot of the cluster the core needs. Adapters build it
// from informers; tests build it by hand.
type Cluster struct {
	// Namespaces maps a namespace name to its labels. A namespace missing
	// here is assumed to carry only kubernetes.io/metadata.name.
	Namespaces map[string]map[string]string
	// Workloads maps a workload to what its pods look like.
	Workloads map[flow.WorkloadRef]Workload
	// DNS is the cluster DNS identity; the zero value means DefaultDNS().
	DNS DNS
	// APIServer lists the endpoints of the kubernetes Service in default.
	APIServer []APIEndpoint
	// Services maps a Service (ServiceRef with Port zero) to its pod
	// selector, for flows to a Service that had no endpoints (PeerService).
	Services map[flow.ServiceRef]map[string]string
	// ServicePorts maps a Service (ServiceRef with Port zero) to its ports,
	// so that a flow to a Service without endpoints is advised at the
	// target port: a named one is resolved on the pods or pod templates
	// the selector picks, as kube-proxy would on the endpoints.
	ServicePorts map[flow.ServiceRef][]corev1.ServicePort
	// ByNamespace, when set, lists the keys of Workloads by namespace (in
	// no order). An adapter that builds a snapshot once and checks many
	// changes against it sets it with GroupWorkloads, so that each Check
	// does not group the whole cluster to write its fixes; it must then
	// list exactly the keys of Workloads. Nil: Check groups them itself.
	ByNamespace map[string][]flow.WorkloadRef
}

// Workload is what the pods of one workload carry.
type Workload struct {
	Ref flow.WorkloadRef `json:"ref"`
	// Labels are the labels of the workload's pods, as carried (churning
	// labels included; StableLabels drops them).
	Labels map[string]string `json:"labels,omitempty"`
	// IPs are the pods' addresses (both families on dual-stack clusters).
	IPs []netip.Addr `json:"ips,omitempty"`
	// Pods are the workload's running pods with their own labels and
	// addresses, when the inventory knows them. Pods carry labels their
	// template does not (job-name, statefulset.kubernetes.io/pod-name,
	// pod-template-hash) that a policy may select on. When Pods is empty,
	// every address in IPs is taken to be a pod carrying Labels.
	Pods []PodInfo `json:"pods,omitempty"`
	// Ports are the named container ports of the pod template.
	Ports []NamedPort `json:"ports,omitempty"`
	// HostNetwork pods use the node's network: policies never select them and
	// peers can reach them only by ipBlock.
	HostNetwork bool `json:"hostNetwork,omitempty"`
	// Selector is the controller's pod selector (spec.selector of a
	// Deployment, StatefulSet, DaemonSet or Job), when known. It never
	// changes across rollouts, unlike labels such as a version, so
	// recommendations select by it when it is plain matchLabels.
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// PodInfo is one running pod of a workload.
type PodInfo struct {
	Name string `json:"name,omitempty"`
	// Labels are the pod's own labels; nil means the workload's Labels.
	Labels map[string]string `json:"labels,omitempty"`
	// IPs are its addresses (status.podIPs; the node's for host-network
	// pods).
	IPs []netip.Addr `json:"ips,omitempty"`
}

// NamedPort is a named container port.
type NamedPort struct {
	Name     string          `json:"name"`
	Port     int32           `json:"port"`
	Protocol corev1.Protocol `json:"protocol,omitempty"`
}

// DNS identifies the cluster DNS: its Service, the pods behind it and, when
// deployed, NodeLocal DNSCache's link-local address (host network).
type DNS struct {
	Service   flow.ServiceRef
	Namespace string
	PodLabels map[string]string
	NodeLocal netip.Addr
}

// APIEndpoint is one endpoint of the kubernetes Service: the address and
// port a policy must allow, not the ClusterIP.
type APIEndpoint struct {
	IP   netip.Addr `json:"ip"`
	Port int32      `json:"port"`
}

// DefaultDNS is kube-dns in kube-system (pods labelled k8s-app=kube-dns) and
// NodeLocal DNSCache on 169.254.20.10.
func DefaultDNS() DNS {
	return DNS{
		Service:   flow.ServiceRef{Namespace: "kube-system", Name: "kube-dns"},
		Namespace: "kube-system",
		PodLabels: map[string]string{"k8s-app": "kube-dns"},
		NodeLocal: netip.MustParseAddr("169.254.20.10"),
	}
}

// defaultDNS is DefaultDNS made once, for reading only: dns is asked for
// every finding's class and target.
var defaultDNS = DefaultDNS()

// dns returns the configured DNS identity or the default. Its labels are
// read, never written.
func (c *Cluster) dns() DNS {
	if c.DNS.Namespace == "" && len(c.DNS.PodLabels) == 0 {
		return defaultDNS
	}
	return c.DNS
}

// StableLabels returns the workload's pod labels without the ones that
// change on every rollout, for use in selectors.
func (w Workload) StableLabels() map[string]string {
	out := maps.Clone(w.Labels)
	for _, k := range churningLabels {
		delete(out, k)
	}
	if out == nil {
		out = map[string]string{}
	}
	return out
}

// SelectorLabels are the labels a recommendation selects the workload's
// pods by: the controller's selector when it is plain matchLabels without a
// churning label, else the stable pod labels. Empty means no selector can
// pick these pods alone.
func (w Workload) SelectorLabels() map[string]string {
	if s := w.Selector; s != nil && len(s.MatchExpressions) == 0 && len(s.MatchLabels) > 0 && !hasChurning(s.MatchLabels) {
		return maps.Clone(s.MatchLabels)
	}
	return w.StableLabels()
}

func hasChurning(l map[string]string) bool {
	for _, k := range churningLabels {
		if _, ok := l[k]; ok {
			return true
		}
	}
	return false
}

// namespaceLabels returns the labels of a namespace, with
// kubernetes.io/metadata.name always present as the API server sets it.
func (c *Cluster) namespaceLabels(ns string) map[string]string {
	return namespaceLabels(c.Namespaces, ns)
}

func namespaceLabels(all map[string]map[string]string, ns string) map[string]string {
	l, ok := all[ns]
	if ok && l[MetadataNameLabel] == ns {
		return l
	}
	out := maps.Clone(l)
	if out == nil {
		out = make(map[string]string, 1)
	}
	out[MetadataNameLabel] = ns
	return out
}

// isAPIServer reports whether ip is an endpoint of the kubernetes Service,
// whatever kind the resolver gave the peer.
func (c *Cluster) isAPIServer(ip netip.Addr) bool {
	for _, e := range c.APIServer {
		if ip.IsValid() && e.IP == ip {
			return true
		}
	}
	return false
}
