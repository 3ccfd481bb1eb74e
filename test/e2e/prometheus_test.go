package e2e

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// The story's files, relative to this package.
const (
	storyDir        = "../../internal/policy/testdata/story/"
	handwrittenFile = storyDir + "handwritten.yaml"
	recommendedFile = storyDir + "recommended.golden.yaml"
	adjustmentsFile = "../../webhook/testdata/story/adjustments.yaml"
	storyNS         = "example-java-app"
	javaapp         = "example-java-app-javaapp"
	handwritten     = storyNS + "/javaapp"
)

// storyWorld is the story's pods on one node: javaapp and the peers it
// talks to, the cluster DNS, and the external MongoDB.
type storyWorld struct {
	world
	javaapp, cassandra, mongo, redis, dns netip.Addr
}

// TestPrometheusStoryMismatchAndFailingConnections runs the story through
// the real observer, server and a real Prometheus server that scrapes both
// and evaluates the shipped alert rules (with short `for:`): javaapp's
// pods really talk to cassandra, MongoDB inside and outside the cluster,
// redis and the cluster DNS; with the hand-written policy applied,
// Prometheus' HTTP API shows javaapp's DNS, external and cassandra (peer)
// mismatch series and the mismatch alert firing, and a refused connect of
// javaapp under that policy shows in the failing-connections counter
// attributed to it; once the recommended policy (with the user's
// adjustments) is applied too, the series fall to 0 and the alert
// resolves, and once the hand-written one is deleted its series are gone.
func TestPrometheusStoryMismatchAndFailingConnections(t *testing.T) {
	testutil.RequireRoot(t)
	serverBin, observerBin := buildCommands(t)
	cp := testutil.StartControlPlane(t, testutil.WithAPIServerFlag("service-cluster-ip-range", servicesCIDR))
	w, a := setupStory(t, cp)
	srv, obs := w.startCommands(t, cp, a, serverBin, observerBin, "--mismatch-period", "3s", "--mismatch-debounce", "200ms")
	prom := startPrometheus(t, map[string]string{"netpol-advisor-server": w.serverMetrics, "netpol-advisor-observer": w.obsMetric}, "2s")
	pods := w.runStoryTraffic(t)

	kubectl(t, cp, "apply", "-f", handwrittenFile)
	byClass := map[string]string{"dns": "1", "external": "1", "peer": "1"}
	waitMismatch(t, prom, handwritten, byClass)
	waitAlerts(t, prom, handwritten, slices.Sorted(mapsKeys(byClass)))

	// A refused connect (nothing listens on cassandra's 9043) under the
	// policy, which allows javaapp egress to mongo and redis only.
	refuse(t, pods.javaapp, netip.AddrPortFrom(w.cassandra, 9043), 2)
	waitFailing(t, prom, handwritten, 2)
	checkExposition(t, "http://"+w.serverMetrics+"/metrics", "netpol_advisor_mismatch_blocked_flows", "netpol_advisor_mismatch_failed_connections_total",
		"netpol_advisor_mismatch_evaluations_total", "netpol_advisor_store_write_duration_seconds", "netpol_advisor_store_size_bytes",
		"netpol_advisor_ingest_resolved_flows_total", "rest_client_requests_total", "go_goroutines")
	checkExposition(t, "http://"+w.obsMetric+"/metrics", "netpol_advisor_agent_batches_sent_total", "netpol_advisor_observer_bpf_drops_total",
		"netpol_advisor_agent_records_sent_total", "netpol_advisor_agent_outbox_oldest_age_seconds", "netpol_advisor_observer_flow_table_entries")

	// Step 3: allow 203.0.113.7/32, exclude cassandra, apply the
	// recommendation beside the hand-written policy.
	adj, err := os.ReadFile(adjustmentsFile)
	if err != nil {
		t.Fatal(err)
	}
	annotate(t, a, storyNS, javaapp, adjust.Annotation, string(adj))
	kubectl(t, cp, "apply", "-f", recommendedFile)
	waitMismatch(t, prom, handwritten, map[string]string{"dns": "0", "external": "0", "peer": "0"})
	waitAlerts(t, prom, handwritten, nil)

	kubectl(t, cp, "delete", "-f", handwrittenFile)
	waitMismatch(t, prom, handwritten, map[string]string{})
	obs.terminate(t)
	srv.terminate(t)
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// setupStory creates the story's namespace (with its Helm labels) and
// workloads, the cluster DNS in kube-system, the node and the observer's
// access.
func setupStory(t *testing.T, cp *testutil.ControlPlane) (*storyWorld, apiObjects) {
	subnet := randomPodSubnet()
	w := &storyWorld{
		world: world{node: fmt.Sprintf("e2e-node-%d", os.Getpid()), apiURL: "https://" + testutil.FreeAddr(t),
			serverMetrics: testutil.FreeAddr(t), obsMetric: testutil.FreeAddr(t), external: netip.MustParseAddr("203.0.113.7")},
		javaapp: addr(subnet, 10), cassandra: addr(subnet, 11), mongo: addr(subnet, 12), redis: addr(subnet, 13), dns: addr(subnet, 14),
	}
	a := apiObjects{t: t, ctx: t.Context(), cs: kubernetes.NewForConfigOrDie(cp.Config), node: w.node}
	a.namespaces(productNS)
	_, err := a.cs.CoreV1().Namespaces().Create(a.ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: storyNS,
		Labels: map[string]string{"app": "raw", "chart": "raw-0.2.3", "heritage": "Helm", "release": "namespaces"}}}, metav1.CreateOptions{})
	a.must("create namespace "+storyNS, err)
	a.nodeObject()
	role := func(r string) map[string]string {
		return map[string]string{"app.kubernetes.io/instance": storyNS, "app.kubernetes.io/name": storyNS + "-" + r}
	}
	tcp := func(name string, port int32) corev1.ContainerPort {
		return corev1.ContainerPort{Name: name, ContainerPort: port, Protocol: corev1.ProtocolTCP}
	}
	a.labelledDeployment(storyNS, javaapp, role("javaapp"), w.javaapp, netip.Addr{}, tcp("http", 8080))
	a.labelledDeployment(storyNS, storyNS+"-cassandra", role("cassandra"), w.cassandra, netip.Addr{}, tcp("cql", 9042))
	a.labelledDeployment(storyNS, storyNS+"-mongo", role("mongo"), w.mongo, netip.Addr{}, tcp("mongodb", 27017))
	a.labelledDeployment(storyNS, storyNS+"-redis", role("redis"), w.redis, netip.Addr{}, tcp("redis", 6379))
	a.labelledDeployment("kube-system", "coredns", map[string]string{"k8s-app": "kube-dns"}, w.dns, netip.Addr{},
		corev1.ContainerPort{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP})
	return w, a
}

// storyPods are the node's pods the test keeps using.
type storyPods struct{ javaapp *netns.Pod }

// runStoryTraffic builds the pods and their servers and has javaapp talk
// to each peer, then waits until the server holds every edge.
func (w *storyWorld) runStoryTraffic(t *testing.T) storyPods {
	t.Helper()
	n := netns.NewNode(t)
	java := n.AddPod(t, "javaapp", w.javaapp)
	for name, ap := range map[string]netip.AddrPort{
		"cassandra": netip.AddrPortFrom(w.cassandra, 9042), "mongo": netip.AddrPortFrom(w.mongo, 27017),
		"redis": netip.AddrPortFrom(w.redis, 6379), "external-mongodb": netip.AddrPortFrom(w.external, 27017),
	} {
		serveTCP(t, n.AddPod(t, name, ap.Addr()), ap)
	}
	serveUDP(t, n.AddPod(t, "coredns", w.dns), netip.AddrPortFrom(w.dns, 53))
	clientScript{
		tcp: map[netip.AddrPort]int{netip.AddrPortFrom(w.cassandra, 9042): 3, netip.AddrPortFrom(w.mongo, 27017): 2,
			netip.AddrPortFrom(w.redis, 6379): 2, netip.AddrPortFrom(w.external, 27017): 2},
		udp: map[netip.AddrPort]int{netip.AddrPortFrom(w.dns, 53): 2},
	}.run(t, java)
	return storyPods{javaapp: java}
}

// refuse makes n connects from pod to dst, where nothing listens or
// something rejects them: each fails.
func refuse(t *testing.T, pod *netns.Pod, dst netip.AddrPort, n int) {
	t.Helper()
	script := fmt.Sprintf("for ((i=0; i<%d; i++)); do (exec 3<>/dev/tcp/%s/%d) 2>/dev/null && exit 1; done; exit 0", n, dst.Addr(), dst.Port())
	cmd := exec.Command("bash", "-c", script)
	if err := pod.Start(t, cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("connects to %s from pod %s did not fail: %v", dst, pod.Name, err)
	}
}

func kubectl(t *testing.T, cp *testutil.ControlPlane, args ...string) {
	t.Helper()
	if _, stderr, err := cp.Kubectl(t.Context(), nil, args...); err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
}

// annotate sets one annotation of a Deployment, as kubectl annotate would.
func annotate(t *testing.T, a apiObjects, ns, name, key, value string) {
	t.Helper()
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, key, value)
	_, err := a.cs.AppsV1().Deployments(ns).Patch(a.ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	a.must("annotate "+ns+"/"+name, err)
}

// waitMismatch waits until Prometheus holds exactly want (class → value)
// as javaapp's blocked-flows series attributed to pol.
func waitMismatch(t *testing.T, p *promServer, pol string, want map[string]string) {
	t.Helper()
	q := fmt.Sprintf(`netpol_advisor_mismatch_blocked_flows{job="netpol-advisor-server",namespace=%q,kind="Deployment",workload=%q,policy=%q}`, storyNS, javaapp, pol)
	waitFor(t, 90*time.Second, "mismatch series "+fmt.Sprint(want), func() (bool, string) {
		res, err := p.query(q)
		if err != nil {
			return false, err.Error()
		}
		got := map[string]string{}
		for _, s := range res {
			got[s.Metric["class"]] = s.Value()
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return true, ""
		}
		return false, fmt.Sprintf("%s = %v; %s", q, got, p.context())
	})
}

// context is what Prometheus knows of the server, for failure messages.
func (p *promServer) context() string {
	var b strings.Builder
	for _, q := range []string{`up`, `netpol_advisor_mismatch_blocked_flows`, `netpol_advisor_mismatch_evaluations_total`, `netpol_advisor_ingest_flows_total`} {
		res, err := p.query(q)
		fmt.Fprintf(&b, "\n%s: %v %v", q, res, err)
	}
	return b.String()
}

// waitAlerts waits until the mismatch alert fires for javaapp under pol
// for exactly the classes given (none: resolved).
func waitAlerts(t *testing.T, p *promServer, pol string, classes []string) {
	t.Helper()
	waitFor(t, 90*time.Second, fmt.Sprintf("NetpolAdvisorPolicyBlocksObservedTraffic firing for %v", classes), func() (bool, string) {
		alerts, err := p.alerts()
		if err != nil {
			return false, err.Error()
		}
		var firing []string
		for _, a := range alerts {
			l := a.Labels
			if l["alertname"] == "NetpolAdvisorPolicyBlocksObservedTraffic" && a.State == "firing" && l["workload"] == javaapp && l["policy"] == pol {
				firing = append(firing, l["class"])
			}
		}
		slices.Sort(firing)
		return slices.Equal(firing, classes), fmt.Sprintf("firing for %v; all alerts %+v", firing, alerts)
	})
}

// waitFailing waits until Prometheus counts at least n failed egress
// connects of javaapp attributed to pol, and the alert on them fires.
func waitFailing(t *testing.T, p *promServer, pol string, n int) {
	t.Helper()
	q := fmt.Sprintf(`netpol_advisor_mismatch_failed_connections_total{namespace=%q,workload=%q,direction="Egress",policy=%q} >= %d`, storyNS, javaapp, pol, n)
	waitFor(t, 90*time.Second, "failed connects attributed to "+pol, func() (bool, string) {
		res, err := p.query(q)
		if err != nil || len(res) != 1 {
			all, _ := p.query(`netpol_advisor_mismatch_failed_connections_total`)
			return false, fmt.Sprintf("%s: %v %v; all: %v", q, res, err, all)
		}
		alerts, err := p.alerts()
		for _, a := range alerts {
			if a.Labels["alertname"] == "NetpolAdvisorConnectionsFailingUnderPolicy" && a.State == "firing" && a.Labels["policy"] == pol {
				return true, ""
			}
		}
		return false, fmt.Sprintf("counter %v but no NetpolAdvisorConnectionsFailingUnderPolicy firing (%v): %+v", res, err, alerts)
	})
}
