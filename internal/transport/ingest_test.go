package transport_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

const observerUser = "system:serviceaccount:netpol-advisor:observer"

var (
	ctx     = context.Background()
	t0      = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	javaapp = flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "example-java-app-javaapp"}
)

// ingest is a real server side: TokenReviews against a real API server, a
// Badger store on disk, served over TLS.
type ingest struct {
	srv      *httptest.Server
	store    *badgerstore.Store
	tokens   map[string]string // ServiceAccount name → token
	handler  *transport.Handler
	reg      *prometheus.Registry
	clientFn func(token string) *transport.Client
}

func startIngest(t *testing.T) *ingest {
	t.Helper()
	cp := testutil.StartControlPlane(t)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	in := &ingest{store: st, tokens: serviceAccountTokens(t, cs, "observer", "intruder"), reg: prometheus.NewPedanticRegistry()}
	// The records are older than the index: with the pod range known, an
	// address outside it is external (not unresolved).
	idx := resolve.NewIndex(0, nil)
	idx.SetPodCIDRs(netip.MustParsePrefix("198.18.0.0/16"))
	in.handler = &transport.Handler{
		Auth: transport.NewTokenReviewer(cs, time.Minute), Observers: []string{observerUser},
		Resolver: idx, Writer: st, MaxBodyBytes: 64 << 10, MaxRecords: 100,
		Metrics: transport.NewMetrics(in.reg),
	}
	mux := http.NewServeMux()
	mux.Handle(transport.BatchPath, in.handler)
	in.srv = httptest.NewTLSServer(mux)
	t.Cleanup(in.srv.Close)
	in.clientFn = func(token string) *transport.Client {
		return &transport.Client{URL: in.srv.URL, HTTP: in.srv.Client(), Token: func() (string, error) { return token, nil }}
	}
	return in
}

// serviceAccountTokens creates ServiceAccounts in netpol-advisor and a
// token for each through the TokenRequest API.
func serviceAccountTokens(t *testing.T, cs kubernetes.Interface, names ...string) map[string]string {
	t.Helper()
	const ns = "netpol-advisor"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	out := map[string]string{}
	for _, n := range names {
		if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: n}}, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create ServiceAccount %s: %v", n, err)
		}
		tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, n, &authnv1.TokenRequest{}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create token of %s: %v", n, err)
		}
		out[n] = tr.Status.Token
	}
	return out
}

func makeRecord(port uint16, count uint64) store.Record {
	return store.Record{Workload: javaapp, Observation: flow.Observation{
		LocalIP: netip.MustParseAddr("198.18.0.10"), Direction: flow.Egress,
		Client: netip.MustParseAddr("198.18.0.10"), Server: netip.MustParseAddr("203.0.113.7"),
		ServerPort: port, Protocol: "TCP", Process: "java", Count: count, FirstSeen: t0, LastSeen: t0,
	}}
}

func TestIngestAppliesEachBatchOnce(t *testing.T) {
	in := startIngest(t)
	c := in.clientFn(in.tokens["observer"])
	batch := store.Pending{Seq: 1, Records: []store.Record{makeRecord(27017, 3), makeRecord(27017, 2)}}
	for i, wantApplied := range []bool{true, false, false} {
		resp, err := c.Send(ctx, "node-1/abc", batch)
		if err != nil {
			t.Fatalf("Send #%d: %v", i, err)
		}
		if resp.Applied != wantApplied || resp.LastSeq != 1 {
			t.Fatalf("Send #%d = %+v, want applied=%v lastSeq=1", i, resp, wantApplied)
		}
	}
	b, err := in.store.Baseline(ctx, javaapp, flow.Window{})
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	if len(b.Flows) != 1 || b.Flows[0].Count != 5 || b.Flows[0].Peer.Kind != flow.PeerExternal {
		t.Fatalf("baseline after a batch sent three times = %+v, want one external flow counted 5 times", b.Flows)
	}
	wantMetrics(t, in.reg, `
# HELP netpol_advisor_ingest_records_total Observer records in applied batches.
# TYPE netpol_advisor_ingest_records_total counter
netpol_advisor_ingest_records_total 2
`, "netpol_advisor_ingest_records_total")
	wantBatches(t, in.reg, map[string]float64{"applied": 1, "retry": 2})
	testutil.Promtool(t, in.reg)
}

func wantMetrics(t *testing.T, reg *prometheus.Registry, want string, names ...string) {
	t.Helper()
	if err := promtest.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Fatalf("metrics: %v", err)
	}
}

// wantBatches checks the batch counters by result (absent results: 0).
func wantBatches(t *testing.T, reg *prometheus.Registry, want map[string]float64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# HELP netpol_advisor_ingest_batches_total Batches received from observers, by result: applied, retry (applied before), rejected (4xx), throttled (429), error (5xx).\n")
	b.WriteString("# TYPE netpol_advisor_ingest_batches_total counter\n")
	for _, r := range []string{"applied", "error", "rejected", "retry", "throttled"} {
		fmt.Fprintf(&b, "netpol_advisor_ingest_batches_total{result=%q} %g\n", r, want[r])
	}
	wantMetrics(t, reg, b.String(), "netpol_advisor_ingest_batches_total")
}
