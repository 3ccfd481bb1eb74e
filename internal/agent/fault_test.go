package agent_test

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/agent"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store/outbox"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

const perDrain = 25

// faultRig is a real server process and real observer processes around a
// real API server; the observers' "kernel" is a generator.
type faultRig struct {
	t       *testing.T
	dir     string
	bin     string
	addr    string
	metrics string
	cert    string
	key     string
	kubecfg string
	tokens  map[string]string
	client  *http.Client
}

// TestFaultsCountEveryFlowExactlyOnce stops the server for a while and
// SIGKILLs the observer while it sends; afterwards every connection that
// reached the observer's outbox is in the server's baseline exactly once.
func TestFaultsCountEveryFlowExactlyOnce(t *testing.T) {
	r := newFaultRig(t)
	srv := r.startServer()
	obs := r.startObserver()
	r.waitTotal(func(n uint64) bool { return n > 0 }, "the first flows")

	srv.stop(t, syscall.SIGTERM) // the server goes away for a while
	time.Sleep(2 * time.Second)
	srv2 := r.startServer()
	before := r.total()
	r.waitTotal(func(n uint64) bool { return n > before+200 }, "the backlog after the server restart")

	time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
	obs.stop(t, syscall.SIGKILL) // in the middle of sending, most likely
	obs2 := r.startObserver()
	time.Sleep(time.Second)
	testutil.WriteFile(t, filepath.Join(r.dir, "stop"), nil)
	final := r.waitStable()
	obs2.stop(t, syscall.SIGTERM)
	r.wantMetric(`netpol_advisor_ingest_batches_total{result="applied"}`)
	// The observer's projected token is verified with the API server's
	// published keys: no TokenReview for it.
	if n := r.metricValue(`netpol_advisor_ingest_tokenreviews_total{result="authenticated"}`); n != 0 {
		t.Fatalf("%v TokenReviews for the observer's pod-bound token, want 0 (verified locally)", n)
	}

	inOutbox, pending := r.outboxTotals()
	drained := obs.drained.Load() + obs2.drained.Load()
	retries := strings.Count(srv.stderr.String()+srv2.stderr.String(), "batch already applied")
	t.Logf("drained %d connections, outbox acknowledged %d, server counted %d; %d retried batches deduplicated", drained, inOutbox, final, retries)
	if pending != 0 {
		t.Fatalf("%d records still pending in the outbox", pending)
	}
	if final != inOutbox {
		t.Fatalf("server counted %d connections, the outbox delivered %d: not exactly once", final, inOutbox)
	}
	// A SIGKILL may lose at most the one drain that had not reached the
	// outbox yet: the kernel's maps are drained destructively.
	if final > drained || final+perDrain < drained {
		t.Fatalf("server counted %d connections of %d drained (at most %d may be lost)", final, drained, perDrain)
	}
}

func newFaultRig(t *testing.T) *faultRig {
	cp := testutil.StartControlPlane(t)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	r := &faultRig{t: t, dir: t.TempDir(), kubecfg: cp.Kubeconfig, addr: testutil.FreeAddr(t), metrics: testutil.FreeAddr(t)}
	r.tokens = setupCluster(t, cs)
	r.cert, r.key = testutil.SelfSignedCert(t, r.dir)
	r.client = testutil.TrustingClient(t, r.cert)
	testutil.WriteFile(t, filepath.Join(r.dir, "token"), []byte(r.tokens["observer"]))
	r.bin = buildServer(t)
	return r
}

func (r *faultRig) startServer(extra ...string) *proc {
	cmd := exec.Command(r.bin, append([]string{"--listen", r.addr, "--metrics-listen", r.metrics, "--tls-cert-file", r.cert, "--tls-key-file", r.key,
		"--kubeconfig", r.kubecfg, "--data-dir", filepath.Join(r.dir, "server"), "--bucket", "1m",
		"--observer-user", "system:serviceaccount:netpol-advisor:observer"}, extra...)...)
	p := start(r.t, "server", cmd)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := r.client.Get("https://" + r.addr + "/livez")
		if err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("server not healthy: %v\n%s", err, p.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *faultRig) startObserver(opts ...func(*helperConfig)) *proc {
	hc := helperConfig{LocalIP: "198.18.0.10", StopFile: filepath.Join(r.dir, "stop"), PerDrain: perDrain, Agent: agent.Config{
		Node: "node-1", Server: "https://" + r.addr, CAFile: r.cert, TokenFile: filepath.Join(r.dir, "token"),
		Kubeconfig: r.kubecfg, DataDir: filepath.Join(r.dir, "observer"), DrainEvery: 20 * time.Millisecond,
		MaxBatch: 40, MaxPending: 1_000_000, History: 24 * time.Hour, RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
	}}
	for _, o := range opts {
		o(&hc)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mustJSON(r.t, hc))
	return start(r.t, "observer", cmd)
}

// total is the server's count of the pod's connections, via the read API.
func (r *faultRig) total() uint64 {
	req, _ := http.NewRequest(http.MethodGet, "https://"+r.addr+"/v1/namespaces/shop/workloads/Pod/api/baseline", nil)
	req.Header.Set("Authorization", "Bearer "+r.tokens["reader"])
	resp, err := r.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var b flow.Baseline
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&b) != nil {
		return 0
	}
	var n uint64
	for _, f := range b.Flows {
		n += f.Count
	}
	return n
}

func (r *faultRig) waitTotal(ok func(uint64) bool, what string) {
	deadline := time.Now().Add(60 * time.Second)
	for !ok(r.total()) {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s (server count %d)", what, r.total())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitStable waits until the server's count stops changing for 2 s.
func (r *faultRig) waitStable() uint64 {
	last, since := r.total(), time.Now()
	for time.Since(since) < 2*time.Second {
		time.Sleep(100 * time.Millisecond)
		if n := r.total(); n != last {
			last, since = n, time.Now()
		}
	}
	return last
}

// outboxTotals opens the stopped observer's outbox and sums the counts it
// delivered (its history) and still holds.
func (r *faultRig) outboxTotals() (acked uint64, pending int) {
	ob, err := outbox.Open(filepath.Join(r.dir, "observer"), outbox.Options{Node: "node-1", History: 24 * time.Hour})
	if err != nil {
		r.t.Fatalf("open the observer's outbox: %v", err)
	}
	defer ob.Close()
	hist, err := ob.History(context.Background())
	if err != nil {
		r.t.Fatalf("outbox history: %v", err)
	}
	for _, rec := range hist {
		acked += rec.Observation.Count
	}
	return acked, ob.PendingRecords()
}

// wantMetric checks the server's /metrics has a sample of the series.
func (r *faultRig) wantMetric(series string) {
	r.metricValue(series)
}

// metricValue returns the value of a series of the server's /metrics.
func (r *faultRig) metricValue(series string) float64 {
	resp, err := http.Get("http://" + r.metrics + "/metrics")
	if err != nil {
		r.t.Fatalf("scrape the server: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				r.t.Fatalf("parse %q: %v", line, err)
			}
			return f
		}
	}
	r.t.Fatalf("the server's metrics have no %s:\n%s", series, body)
	return 0
}

// setupCluster creates the observer's and a reader's ServiceAccounts and
// the observed pod, and returns the tokens.
func setupCluster(t *testing.T, cs kubernetes.Interface) map[string]string {
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, ns := range []string{"netpol-advisor", "shop"} {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		must("create namespace", err)
	}
	_, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "reader"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"netpol-advisor.io"}, Resources: []string{"baselines"}, Verbs: []string{"get"}}}}, metav1.CreateOptions{})
	must("create ClusterRole", err)
	_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "reader"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "reader"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: "netpol-advisor", Name: "reader"}}}, metav1.CreateOptions{})
	must("create ClusterRoleBinding", err)
	tokens := map[string]string{}
	for _, sa := range []string{"observer", "reader"} {
		_, err := cs.CoreV1().ServiceAccounts("netpol-advisor").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{})
		must("create ServiceAccount", err)
		tr, err := cs.CoreV1().ServiceAccounts("netpol-advisor").CreateToken(ctx, sa, &authnv1.TokenRequest{}, metav1.CreateOptions{})
		must("create token", err)
		tokens[sa] = tr.Status.Token
	}
	tokens["observer"] = observerToken(t, cs, "node-1")
	p, err := cs.CoreV1().Pods("shop").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "api"},
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "main", Image: "registry.invalid/api:1"}}}}, metav1.CreateOptions{})
	must("create Pod", err)
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "198.18.0.10", PodIPs: []corev1.PodIP{{IP: "198.18.0.10"}}}
	_, err = cs.CoreV1().Pods("shop").UpdateStatus(ctx, p, metav1.UpdateOptions{})
	must("set Pod IP", err)
	return tokens
}

// observerToken creates node and the observer's pod on it and returns the
// token the chart projects into it: bound to the pod (so it names the
// node) and of the product's audience.
func observerToken(t *testing.T, cs kubernetes.Interface, node string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create node: %v", err)
	}
	p, err := cs.CoreV1().Pods("netpol-advisor").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "observer-" + node},
		Spec: corev1.PodSpec{NodeName: node, ServiceAccountName: "observer",
			Containers: []corev1.Container{{Name: "observer", Image: "registry.invalid/observer:1"}}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create the observer pod: %v", err)
	}
	tr, err := cs.CoreV1().ServiceAccounts("netpol-advisor").CreateToken(ctx, "observer", &authnv1.TokenRequest{
		Spec: authnv1.TokenRequestSpec{Audiences: []string{"netpol-advisor"},
			BoundObjectRef: &authnv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: p.Name, UID: p.UID}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create the observer's token: %v", err)
	}
	return tr.Status.Token
}
