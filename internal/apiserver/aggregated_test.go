package apiserver_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
	"github.com/netpol-advisor/netpol-advisor/internal/apiserver"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/aggregated"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// aggregated is a real kube-apiserver with the aggregation layer on and
// the netpol-advisor API registered behind it by an APIService.
type cluster struct {
	cp *testutil.ControlPlane
	cs kubernetes.Interface
}

// startAggregated serves the API from a Badger store holding flows and
// registers it with a real kube-apiserver.
func startAggregated(t *testing.T, flows []flow.Flow) *cluster {
	t.Helper()
	cp := testutil.StartControlPlane(t, testutil.FrontProxy(t))
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Apply(context.Background(), store.Batch{Observer: "node-1/a", Seq: 1, Flows: flows}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	aggregated.Start(t, cp, apiserver.Deps{Baselines: st, Now: func() time.Time { return t0.Add(time.Hour) }})
	return &cluster{cp: cp, cs: kubernetes.NewForConfigOrDie(cp.Config)}
}

func (a *cluster) kubectl(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	out, errOut, err := a.cp.Kubectl(context.Background(), stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// as runs kubectl with another kubeconfig and returns its output and error.
func as(kubeconfig string, args ...string) (string, error) {
	cmd := testutil.KubectlCommand(context.Background(), append([]string{"--kubeconfig", kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func ref(ns string, kind flow.Kind, name string) flow.WorkloadRef {
	return flow.WorkloadRef{Namespace: ns, Kind: kind, Name: name}
}

func edge(w flow.WorkloadRef, dir flow.Direction, p flow.Peer, port int32, proto corev1.Protocol, n uint64, at time.Time) flow.Flow {
	return flow.Flow{Key: flow.Key{Workload: w, Direction: dir, Peer: p, Port: port, Protocol: proto, Process: "app"},
		Count: n, FirstSeen: at, LastSeen: at}
}

// failing adds failed connects to f, of the kinds the observer told apart.
func failing(f flow.Flow, failed uint64, kinds flow.Failures) flow.Flow {
	f.Failed, f.Failures = failed, kinds
	return f
}

// An app of its own: a storefront Deployment taking orders from a web
// Deployment, calling a ledger StatefulSet (and an external payment API)
// over a Service whose port differs from the target port, and a StatefulSet
// that shares a Deployment's name.
var (
	storefront = ref("shop", flow.KindDeployment, "storefront")
	web        = ref("shop", flow.KindDeployment, "web")
	ledgerSts  = ref("shop", flow.KindStatefulSet, "ledger")
	ledgerDep  = ref("shop", flow.KindDeployment, "ledger")
	intruder   = ref("other", flow.KindDeployment, "spy")
	payments   = flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.9")}
	shopFlows  = []flow.Flow{
		edge(storefront, flow.Ingress, flow.Peer{Kind: flow.PeerWorkload, Workload: web}, 8080, "TCP", 40, t0),
		edge(storefront, flow.Egress, flow.Peer{Kind: flow.PeerWorkload, Workload: ledgerSts,
			Service: flow.ServiceRef{Namespace: "shop", Name: "ledger", Port: 80}}, 7000, "TCP", 12, t0.Add(time.Minute)),
		failing(edge(storefront, flow.Egress, payments, 443, "TCP", 3, t0.Add(2*time.Minute)), 4, flow.Failures{Refused: 2, TimedOut: 1}),
		edge(ledgerSts, flow.Ingress, flow.Peer{Kind: flow.PeerWorkload, Workload: storefront}, 7000, "TCP", 12, t0),
		edge(ledgerDep, flow.Egress, flow.Peer{Kind: flow.PeerWorkload, Workload: ledgerSts}, 7946, "UDP", 5, t0),
		edge(intruder, flow.Egress, payments, 443, "TCP", 1, t0),
	}
)

func TestKubectlReadsBaselinesThroughTheAggregationLayer(t *testing.T) {
	a := startAggregated(t, shopFlows)
	for _, ns := range []string{"shop", "other"} {
		a.kubectl(t, nil, "create", "namespace", ns)
	}
	a.kubectl(t, nil, "create", "clusterrole", "baseline-reader", "--verb=get,list", "--resource=baselines.netpol-advisor.io,topologies.netpol-advisor.io")
	a.kubectl(t, nil, "create", "rolebinding", "readers", "-n", "shop", "--clusterrole=baseline-reader", "--user=alice", "--serviceaccount=shop:ci")
	a.kubectl(t, nil, "create", "serviceaccount", "ci", "-n", "shop")
	users := map[string]string{"client certificate": a.certUser(t, "alice"), "token": a.tokenUser(t, "shop", "ci")}
	for kind, kubeconfig := range users {
		t.Run(kind, func(t *testing.T) {
			out, err := as(kubeconfig, "get", "baselines", "-n", "shop")
			if err != nil {
				t.Fatalf("kubectl get baselines: %v\n%s", err, out)
			}
			want := []string{"NAME", "deployment.ledger", "statefulset.ledger", "storefront"}
			if diff := cmp.Diff(want, firstColumn(out)); diff != "" {
				t.Errorf("kubectl get baselines -n shop names (-want +got):\n%s\n%s", diff, out)
			}
			out, err = as(kubeconfig, "get", "baselines", "-n", "other")
			if err == nil || !strings.Contains(out, "Forbidden") || !strings.Contains(out, "baselines.netpol-advisor.io") {
				t.Errorf("reading namespace other: err %v, output %q; want Forbidden", err, out)
			}
		})
	}
	out, err := as(users["token"], "get", "baselines", "-n", "shop", "storefront", "-o", "yaml")
	if err != nil {
		t.Fatalf("kubectl get baseline storefront: %v\n%s", err, out)
	}
	var b v1alpha1.Baseline
	if err := yaml.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	got := [][]string{}
	for _, f := range append(b.Ingress, b.Egress...) {
		failed := fmt.Sprintf("%d (%d refused, %d timed out, %d unreachable)", f.Failed, f.Refused, f.TimedOut, f.Unreachable)
		got = append(got, []string{f.Peer.Display, strconv.Itoa(int(f.Port)), f.Protocol, strconv.FormatInt(f.Count, 10), failed, strconv.FormatBool(f.Peer.Resolved)})
	}
	none := "0 (0 refused, 0 timed out, 0 unreachable)"
	want := [][]string{
		{"shop/Deployment/web", "8080", "TCP", "40", none, "true"},
		{"external 203.0.113.9", "443", "TCP", "3", "4 (2 refused, 1 timed out, 0 unreachable)", "false"},
		{"shop/StatefulSet/ledger via service shop/ledger:80", "7000", "TCP", "12", none, "true"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("storefront's flows (-want +got):\n%s", diff)
	}
}

func firstColumn(table string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

// certUser is a user who authenticates with a client certificate.
func (a *cluster) certUser(t *testing.T, name string) string {
	u, err := a.cp.Env.AddUser(envtest.User{Name: name}, nil)
	if err != nil {
		t.Fatalf("add user %s: %v", name, err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	testutil.WriteFile(t, path, kc)
	return path
}

// tokenUser is a ServiceAccount that authenticates with a bearer token.
func (a *cluster) tokenUser(t *testing.T, ns, name string) string {
	tok := strings.TrimSpace(a.kubectl(t, nil, "create", "token", name, "-n", ns))
	raw, err := os.ReadFile(a.cp.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	var kc map[string]any
	if err := yaml.Unmarshal(raw, &kc); err != nil {
		t.Fatal(err)
	}
	for _, u := range kc["users"].([]any) {
		u.(map[string]any)["user"] = map[string]any{"token": tok}
	}
	out, err := yaml.Marshal(kc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	testutil.WriteFile(t, path, out)
	return path
}
