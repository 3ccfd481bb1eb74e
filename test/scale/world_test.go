package scale

import (
	"fmt"
	"net/netip"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Proportions of the synthetic cluster, taken from the target of
// 150k pods on 5,000 nodes: 30 pods a node, 10 pods a workload, 20
// workloads a namespace, one NetworkPolicy a workload (1,000 at 10k pods),
// one Service per Deployment and StatefulSet. A tenth of the pods belong to
// three DaemonSets (one pod per node).
const (
	podsPerNode      = 30
	podsPerWorkload  = 10
	workloadsPerNS   = 20
	replicas         = 9
	daemonSets       = 3
	daemonSetNS      = "node-agents"
	peersPerWorkload = 3
)

// workload is one synthetic workload: its kind, name and pods.
type workload struct {
	ref   flow.WorkloadRef
	pods  []pod
	port  int32
	peers []int // indexes of the workloads it connects to
}

type pod struct {
	name string
	node string
	ip   netip.Addr
}

// world is the synthetic cluster of one size; every name and address comes
// from the index of the object, so two runs build the same cluster.
type world struct {
	pods       int
	nodes      []string
	namespaces []string
	workloads  []workload
	dns        workload
}

func newWorld(pods int) *world {
	w := &world{pods: pods}
	for i := range max(1, pods/podsPerNode) {
		w.nodes = append(w.nodes, fmt.Sprintf("node-%04d", i))
	}
	n := max(1, pods*9/10/podsPerWorkload)
	for i := range (n + workloadsPerNS - 1) / workloadsPerNS {
		w.namespaces = append(w.namespaces, fmt.Sprintf("team-%03d", i))
	}
	ip := netip.MustParseAddr("198.18.0.10")
	next := func() netip.Addr { ip = ip.Next(); return ip }
	w.dns = workload{ref: flow.WorkloadRef{Namespace: "kube-system", Kind: flow.KindDeployment, Name: "coredns"}, port: 53}
	w.dns.pods = []pod{{name: "coredns-0", node: w.nodes[0], ip: next()}, {name: "coredns-1", node: w.nodes[len(w.nodes)-1], ip: next()}}
	for i := range n {
		wl := workload{ref: flow.WorkloadRef{Namespace: w.namespaces[i/workloadsPerNS], Kind: kindOf(i), Name: fmt.Sprintf("app-%05d", i)}, port: 8080}
		for r := range replicas {
			wl.pods = append(wl.pods, pod{name: fmt.Sprintf("%s-%d", wl.ref.Name, r), node: w.nodes[(i*replicas+r)%len(w.nodes)], ip: next()})
		}
		for p := 1; p <= peersPerWorkload; p++ {
			wl.peers = append(wl.peers, (i+p*7)%n)
		}
		w.workloads = append(w.workloads, wl)
	}
	for d := range daemonSets {
		wl := workload{ref: flow.WorkloadRef{Namespace: daemonSetNS, Kind: flow.KindDaemonSet, Name: fmt.Sprintf("agent-%d", d)}, port: 9100}
		for j, node := range w.nodes {
			wl.pods = append(wl.pods, pod{name: fmt.Sprintf("%s-%04d", wl.ref.Name, j), node: node, ip: next()})
		}
		w.workloads = append(w.workloads, wl)
	}
	return w
}

// kindOf spreads the owner kinds: 60 % Deployments, 15 % StatefulSets, 15 %
// CronJobs (one Job each), 10 % Jobs.
func kindOf(i int) flow.Kind {
	switch i % 20 {
	case 12, 13, 14:
		return flow.KindStatefulSet
	case 15, 16, 17:
		return flow.KindCronJob
	case 18, 19:
		return flow.KindJob
	}
	return flow.KindDeployment
}

// served reports whether the workload has a Service (and EndpointSlice).
func (wl workload) served() bool {
	return wl.ref.Kind == flow.KindDeployment || wl.ref.Kind == flow.KindStatefulSet
}

func (wl workload) labels() map[string]string {
	return map[string]string{"app.kubernetes.io/name": wl.ref.Name, "app.kubernetes.io/part-of": wl.ref.Namespace}
}

// podCount is every pod of the world, DNS included.
func (w *world) podCount() int {
	n := len(w.dns.pods)
	for _, wl := range w.workloads {
		n += len(wl.pods)
	}
	return n
}
