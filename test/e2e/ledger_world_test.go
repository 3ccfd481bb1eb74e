package e2e

import (
	"fmt"
	"net/netip"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// The second application's names, shared with the demo on the real
// cluster.
const (
	ledgerNS  = "ledger"
	ledgerAPI = "ledger-api"
)

// nodeLocalDNS is NodeLocal DNSCache's address, served on the node;
// oldPayments the payments API's former address, rejected on the way.
var (
	nodeLocalDNS = netip.MustParseAddrPort("169.254.20.10:53")
	oldPayments  = netip.MustParseAddrPort("203.0.113.10:443")
)

// ledgerWorld is the ledger app on one node: pods, Services, the external
// payments API.
type ledgerWorld struct {
	world
	api, db, statsd, audit, web, reconcile netip.Addr
	apiSvc, dbSvc, statsdSvc               netip.Addr
}

func ledgerLabels(name string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "ledger"}
}

// setupLedger creates the ledger app's objects as its controllers would:
// Deployments ledger-api (TCP 8443), ledger-statsd (UDP 9125), ledger-audit
// (TCP 7000) and ledger-web; StatefulSet ledger-db (container port pg =
// 15432) behind Service ledger-db 5432 -> pg; Service ledger-statsd UDP
// 8125 -> 9125; Service ledger-api 80 -> https; CronJob ledger-reconcile
// with the Job and pod of one run.
func setupLedger(t *testing.T, cp *testutil.ControlPlane) (*ledgerWorld, apiObjects) {
	subnet := randomPodSubnet()
	w := &ledgerWorld{
		world: world{node: fmt.Sprintf("e2e-node-%d", os.Getpid()), apiURL: "https://" + testutil.FreeAddr(t),
			serverMetrics: testutil.FreeAddr(t), obsMetric: testutil.FreeAddr(t), external: netip.MustParseAddr("203.0.113.9")},
		api: addr(subnet, 10), db: addr(subnet, 11), statsd: addr(subnet, 12), audit: addr(subnet, 13),
		web: addr(subnet, 14), reconcile: addr(subnet, 15),
	}
	a := apiObjects{t: t, ctx: t.Context(), cs: kubernetes.NewForConfigOrDie(cp.Config), node: w.node}
	a.namespaces(productNS, ledgerNS)
	a.nodeObject()
	port := func(name string, p int32, proto corev1.Protocol) corev1.ContainerPort {
		return corev1.ContainerPort{Name: name, ContainerPort: p, Protocol: proto}
	}
	deploy := func(name string, ip netip.Addr, ports ...corev1.ContainerPort) string {
		return a.labelledDeployment(ledgerNS, name, ledgerLabels(name), ip, netip.Addr{}, ports...)
	}
	apiPod := deploy(ledgerAPI, w.api, port("https", 8443, corev1.ProtocolTCP))
	statsdPod := deploy("ledger-statsd", w.statsd, port("statsd", 9125, corev1.ProtocolUDP))
	deploy("ledger-audit", w.audit, port("audit", 7000, corev1.ProtocolTCP))
	deploy("ledger-web", w.web, port("http", 8080, corev1.ProtocolTCP))
	dbPod := a.statefulSet(ledgerNS, "ledger-db", ledgerLabels("ledger-db"), w.db, port("pg", 15432, corev1.ProtocolTCP))
	a.cronJobRun(ledgerNS, "ledger-reconcile", ledgerLabels("ledger-reconcile"), w.reconcile)

	svc := func(name string, p corev1.ServicePort, target int32, backend netip.Addr, pod string) netip.Addr {
		return a.serviceTo(ledgerNS, name, ledgerLabels(name), p, target, backend, pod)
	}
	w.dbSvc = svc("ledger-db", corev1.ServicePort{Name: "postgres", Port: 5432, TargetPort: intstr.FromString("pg"), Protocol: corev1.ProtocolTCP}, 15432, w.db, dbPod)
	w.statsdSvc = svc("ledger-statsd", corev1.ServicePort{Name: "statsd", Port: 8125, TargetPort: intstr.FromInt32(9125), Protocol: corev1.ProtocolUDP}, 9125, w.statsd, statsdPod)
	w.apiSvc = svc(ledgerAPI, corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromString("https"), Protocol: corev1.ProtocolTCP}, 8443, w.api, apiPod)
	w.readerToken = a.serviceAccount("reader")
	a.readerRBAC(ledgerNS, "reader")
	return w, a
}

// How often each client connects or sends.
const (
	apiToDB, apiToAudit, apiToPayments = 2, 1, 2 // TCP
	apiToStatsd, apiToDNS              = 3, 2    // UDP datagrams, one socket each
	webToAPI, reconcileToAPI           = 2, 1    // TCP through Service ledger-api
	apiToOldPayments                   = 1       // TCP, rejected
)

// runLedgerTraffic builds the node: the pods and their servers, the
// Services' DNAT, the payments API (203.0.113.9, no pod) and NodeLocal
// DNSCache (a host-network process on 169.254.20.10); then ledger-api,
// ledger-web and the CronJob's pod talk as the app does.
func (w *ledgerWorld) runLedgerTraffic(t *testing.T) {
	t.Helper()
	n := netns.NewNode(t)
	api := n.AddPod(t, ledgerAPI, w.api)
	for _, s := range []struct {
		proto      string
		front, pod netip.AddrPort
	}{
		{"tcp", netip.AddrPortFrom(w.dbSvc, 5432), netip.AddrPortFrom(w.db, 15432)},
		{"udp", netip.AddrPortFrom(w.statsdSvc, 8125), netip.AddrPortFrom(w.statsd, 9125)},
		{"tcp", netip.AddrPortFrom(w.apiSvc, 80), netip.AddrPortFrom(w.api, 8443)},
	} {
		if err := n.AddService(s.proto, s.front, s.pod); err != nil {
			t.Fatal(err)
		}
	}
	serveTCP(t, api, netip.AddrPortFrom(w.api, 8443))
	serveTCP(t, n.AddPod(t, "ledger-db-0", w.db), netip.AddrPortFrom(w.db, 15432))
	serveUDP(t, n.AddPod(t, "ledger-statsd", w.statsd), netip.AddrPortFrom(w.statsd, 9125))
	serveTCP(t, n.AddPod(t, "ledger-audit", w.audit), netip.AddrPortFrom(w.audit, 7000))
	serveTCP(t, n.AddPod(t, "payments-api", w.external), netip.AddrPortFrom(w.external, 443))
	if err := n.AddNodeAddress(nodeLocalDNS.Addr()); err != nil {
		t.Fatal(err)
	}
	serveUDP(t, n.AddHostNetworkPod(t, "node-local-dns"), nodeLocalDNS)

	clientScript{
		tcp: map[netip.AddrPort]int{netip.AddrPortFrom(w.dbSvc, 5432): apiToDB, netip.AddrPortFrom(w.audit, 7000): apiToAudit,
			netip.AddrPortFrom(w.external, 443): apiToPayments},
		udp: map[netip.AddrPort]int{netip.AddrPortFrom(w.statsdSvc, 8125): apiToStatsd, nodeLocalDNS: apiToDNS},
	}.run(t, api)
	// The payments API's old address, which a firewall on the way rejects
	// (ICMP administratively prohibited): a failed connect, unreachable.
	if err := n.RejectWith("tcp", oldPayments, "admin-prohibited"); err != nil {
		t.Fatal(err)
	}
	refuse(t, api, oldPayments, apiToOldPayments)
	toAPI := netip.AddrPortFrom(w.apiSvc, 80)
	clientScript{tcp: map[netip.AddrPort]int{toAPI: webToAPI}}.run(t, n.AddPod(t, "ledger-web", w.web))
	clientScript{tcp: map[netip.AddrPort]int{toAPI: reconcileToAPI}}.run(t, n.AddPod(t, "ledger-reconcile", w.reconcile))
}
