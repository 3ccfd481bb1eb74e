package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// servicesCIDR is the Services' range of DESIGN.md, the API server's
// --service-cluster-ip-range.
const servicesCIDR = "198.19.0.0/16"

// How many connections (TCP) and client sockets (UDP) the client opens.
const (
	viaService = 3 // TCP to the catalog Service's ClusterIP
	overIPv6   = 5 // TCP straight to the catalog pod's IPv6 address
	toPeer     = 2 // UDP straight to the collector pod
	toExternal = 4 // TCP to a host that is no pod
)

// world is what the test set up: where the pods and processes are.
type world struct {
	node                     string
	client, catalog, coll    netip.Addr
	client6, catalog6        netip.Addr // the dual-stack pods' IPv6
	external, clusterIP      netip.Addr
	apiURL                   string
	serverMetrics, obsMetric string
	readerToken              string
	https                    *http.Client
}

// TestPipelineFromPodSocketsToReadAPI runs the real server and observer
// commands as they run in a cluster: pods (network namespaces in
// kubelet-style cgroups) talk through a Service DNAT, to other pods over
// UDP and IPv6, and to an external host; the observer sees their sockets
// with eBPF and ships them, as its ServiceAccount, to the server, which
// resolves them against the API server; a reader then finds every peer through the read API,
// counted exactly. Both processes must stop cleanly on SIGTERM and leave
// no BPF object behind.
func TestPipelineFromPodSocketsToReadAPI(t *testing.T) {
	testutil.RequireRoot(t)
	serverBin, observerBin := buildCommands(t)
	cp := testutil.StartControlPlane(t, testutil.WithAPIServerFlag("service-cluster-ip-range", servicesCIDR))
	w, a := setupWorld(t, cp)
	srv, obs := w.startCommands(t, cp, a, serverBin, observerBin)

	w.runTraffic(t)
	w.checkClientBaseline(t)
	w.checkServerSide(t)
	w.checkReaderScope(t)
	checkMetrics(t, w)

	held := observerBPF(t, obs)
	obs.terminate(t)
	srv.terminate(t)
	waitReleased(t, held)
}

// setupWorld picks the addresses and creates the API objects: workloads,
// the Service, the node and the reader's access.
func setupWorld(t *testing.T, cp *testutil.ControlPlane) (*world, apiObjects) {
	subnet := randomPodSubnet()
	w := &world{
		node:   fmt.Sprintf("e2e-node-%d", os.Getpid()),
		client: addr(subnet, 10), catalog: addr(subnet, 11), coll: addr(subnet, 12),
		client6: addr6(subnet, 10), catalog6: addr6(subnet, 11),
		external:      netip.AddrFrom4([4]byte{203, 0, 113, byte(2 + rand.IntN(13))}), // in the /28 of DESIGN.md
		apiURL:        "https://" + testutil.FreeAddr(t),
		serverMetrics: testutil.FreeAddr(t), obsMetric: testutil.FreeAddr(t),
	}
	a := apiObjects{t: t, ctx: t.Context(), cs: kubernetes.NewForConfigOrDie(cp.Config), node: w.node}
	a.namespaces(productNS, "shop", "telemetry")
	a.nodeObject()
	a.deployment("shop", "frontend", w.client, w.client6)
	http := corev1.ContainerPort{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}
	catalogPod := a.deployment("shop", "catalog", w.catalog, w.catalog6, http)
	w.clusterIP = a.service("shop", "catalog", 80, http, w.catalog, catalogPod)
	a.deployment("telemetry", "collector", w.coll, netip.Addr{}, corev1.ContainerPort{Name: "statsd", ContainerPort: 8125, Protocol: corev1.ProtocolUDP})
	w.readerToken = a.serviceAccount("reader")
	a.readerRBAC("shop", "reader")
	return w, a
}

// runTraffic builds the node's pods, servers and Service DNAT, and runs the
// client program in the frontend pod.
func (w *world) runTraffic(t *testing.T) {
	t.Helper()
	n := netns.NewNode(t)
	client := n.AddPod(t, "frontend", w.client, w.client6)
	catalog := n.AddPod(t, "catalog", w.catalog, w.catalog6)
	coll := n.AddPod(t, "collector", w.coll)
	ext := n.AddPod(t, "external", w.external) // no Pod object: unresolved
	if err := n.AddService("tcp", netip.AddrPortFrom(w.clusterIP, 80), netip.AddrPortFrom(w.catalog, 8080)); err != nil {
		t.Fatal(err)
	}
	serveTCP(t, catalog, netip.AddrPortFrom(w.catalog, 8080))
	serveTCP(t, catalog, netip.AddrPortFrom(w.catalog6, 8080))
	serveUDP(t, coll, netip.AddrPortFrom(w.coll, 8125))
	serveTCP(t, ext, netip.AddrPortFrom(w.external, 5432))
	clientScript{
		tcp: map[netip.AddrPort]int{netip.AddrPortFrom(w.clusterIP, 80): viaService, netip.AddrPortFrom(w.external, 5432): toExternal,
			netip.AddrPortFrom(w.catalog6, 8080): overIPv6},
		udp: map[netip.AddrPort]int{netip.AddrPortFrom(w.coll, 8125): toPeer},
	}.run(t, client)
}
