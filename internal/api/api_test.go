package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/api"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

var (
	ctx     = context.Background()
	t0      = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	javaapp = flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "example-java-app-javaapp"}
	mongo   = flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindStatefulSet, Name: "example-java-app-mongo"}}
	extIP   = flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}
)

func egress(p flow.Peer, port int32, process string, count uint64, at time.Time) flow.Flow {
	return flow.Flow{Key: flow.Key{Workload: javaapp, Direction: flow.Egress, Peer: p, Port: port, Protocol: "TCP", Process: process},
		Count: count, FirstSeen: at, LastSeen: at}
}

// readAPI serves the API over TLS from a real store, authenticated and
// authorised by a real API server where alice may read example-java-app.
func readAPI(t *testing.T) (*httptest.Server, map[string]string) {
	cp := testutil.StartControlPlane(t)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	tokens := grantReaders(t, cs)
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	_, err = st.Apply(ctx, store.Batch{Observer: "node-1/a", Seq: 1, Flows: []flow.Flow{
		egress(mongo, 27017, "java", 3, t0), egress(mongo, 27017, "sh", 1, t0.Add(time.Minute)),
		egress(extIP, 27017, "java", 2, t0.Add(2*time.Hour)),
	}})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	h := &api.Handler{Auth: transport.NewTokenReviewer(cs, time.Minute), Authz: api.NewAccessReviewer(cs, time.Minute),
		Reader: st, Now: func() time.Time { return t0.Add(3 * time.Hour) }}
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv, tokens
}

// grantReaders creates ServiceAccounts alice (may get baselines in
// example-java-app) and bob (may not), and returns their tokens.
func grantReaders(t *testing.T, cs kubernetes.Interface) map[string]string {
	for _, ns := range []string{"netpol-advisor", "example-java-app"} {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		check(t, "create namespace", err)
	}
	_, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "baseline-reader"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{api.Group}, Resources: []string{api.Resource}, Verbs: []string{"get"}}}}, metav1.CreateOptions{})
	check(t, "create ClusterRole", err)
	_, err = cs.RbacV1().RoleBindings("example-java-app").Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "alice-reads"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "baseline-reader"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: "netpol-advisor", Name: "alice"}}}, metav1.CreateOptions{})
	check(t, "create RoleBinding", err)
	tokens := map[string]string{}
	for _, n := range []string{"alice", "bob"} {
		_, err := cs.CoreV1().ServiceAccounts("netpol-advisor").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: n}}, metav1.CreateOptions{})
		check(t, "create ServiceAccount", err)
		tr, err := cs.CoreV1().ServiceAccounts("netpol-advisor").CreateToken(ctx, n, &authnv1.TokenRequest{}, metav1.CreateOptions{})
		check(t, "create token", err)
		tokens[n] = tr.Status.Token
	}
	return tokens
}

func check(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func get(t *testing.T, srv *httptest.Server, token, path string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	check(t, "new request", err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	check(t, "GET "+path, err)
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK && out != nil {
		check(t, "decode "+path, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

func TestReadAPIAuthorisesPerNamespace(t *testing.T) {
	srv, tokens := readAPI(t)
	const wl = "/v1/namespaces/example-java-app/workloads/Deployment/example-java-app-javaapp"
	tests := []struct {
		name, token, path string
		want              int
	}{
		{"no token", "", "/v1/namespaces/example-java-app/baselines", 401},
		{"bad token", "garbage", "/v1/namespaces/example-java-app/baselines", 401},
		{"alice, her namespace", tokens["alice"], "/v1/namespaces/example-java-app/baselines", 200},
		{"alice, her workload", tokens["alice"], wl + "/baseline?since=24h", 200},
		{"alice, another namespace", tokens["alice"], "/v1/namespaces/kube-system/baselines", 403},
		{"alice, every namespace", tokens["alice"], "/v1/namespaces/_all/topology", 403},
		{"bob", tokens["bob"], "/v1/namespaces/example-java-app/baselines", 403},
		{"unknown workload", tokens["alice"], "/v1/namespaces/example-java-app/workloads/Deployment/nope/baseline", 404},
		{"bad window", tokens["alice"], wl + "/baseline?since=yesterday", 400},
		{"inverted window", tokens["alice"], wl + "/baseline?from=2026-11-25T12:00:00Z&to=2026-11-25T11:00:00Z", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := get(t, srv, tt.token, tt.path, nil); got != tt.want {
				t.Fatalf("GET %s = %d, want %d", tt.path, got, tt.want)
			}
		})
	}
}

func TestReadAPIBaselineAndTopology(t *testing.T) {
	srv, tokens := readAPI(t)
	const wl = "/v1/namespaces/example-java-app/workloads/Deployment/example-java-app-javaapp"
	var b flow.Baseline
	if code := get(t, srv, tokens["alice"], wl+"/baseline?from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z", &b); code != 200 {
		t.Fatalf("GET baseline = %d", code)
	}
	if len(b.Flows) != 2 || b.Flows[0].Peer != mongo {
		t.Fatalf("baseline of the first hour = %+v, want the two mongo flows only", b.Flows)
	}
	var topo api.Topology
	if code := get(t, srv, tokens["alice"], "/v1/namespaces/example-java-app/topology", &topo); code != 200 {
		t.Fatalf("GET topology = %d", code)
	}
	want := []api.Edge{{Workload: javaapp, Direction: flow.Egress, Peer: mongo, PeerName: mongo.String(), Port: 27017, Protocol: "TCP",
		Processes: []string{"java", "sh"}, Count: 4, LastSeen: t0.Add(time.Minute)}}
	if diff := cmp.Diff(want, topo.Edges, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" || topo.Excluded != 1 {
		t.Fatalf("topology without external peers (excluded %d, want 1) (-want +got):\n%s", topo.Excluded, diff)
	}
	if code := get(t, srv, tokens["alice"], "/v1/namespaces/example-java-app/topology?external=true", &topo); code != 200 || len(topo.Edges) != 2 {
		t.Fatalf("GET topology?external=true = %d with %d edges, want 200 with 2", code, len(topo.Edges))
	}
}
