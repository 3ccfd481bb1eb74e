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

	"github.com/google/go-cmp/cmp"
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

// ingest is a real server side: TokenReviews against a real API server,
// the server's informers, a Badger store on disk, served over TLS.
type ingest struct {
	cs       kubernetes.Interface
	srv      *httptest.Server
	store    *badgerstore.Store
	tokens   map[string]string // ServiceAccount name → token not bound to a pod
	bound    string            // the observer's token bound to its pod on node-1
	handler  *transport.Handler
	reg      *prometheus.Registry
	clientFn func(token string) *transport.Client
}

// audience is the product's token audience.
const audience = "netpol-advisor"

// startIngest runs the ingest with javaapp's pod on node-1 and a ledger
// pod on node-2, and the observer's pod on node-1.
func startIngest(t *testing.T, opts ...func(*transport.Handler)) *ingest {
	t.Helper()
	cp := testutil.StartControlPlane(t)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	in := &ingest{cs: cs, store: st, tokens: serviceAccountTokens(t, cs, "observer", "intruder"), reg: prometheus.NewPedanticRegistry()}
	in.bound = podBoundToken(t, cs, "node-1")
	createPod(t, cs, makePod("example-java-app", "example-java-app-javaapp", "abcde", "node-1", "198.18.0.10"))
	createPod(t, cs, makePod("payments", "ledger-db", "fghij", "node-2", "198.18.0.50"))
	wctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	idx, err := resolve.Watch(wctx, cs, resolve.WatchOptions{})
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	// The records are older than the index: with the pod range known, an
	// address outside it is external (not unresolved).
	idx.SetPodCIDRs(netip.MustParsePrefix("198.18.0.0/16"))
	in.handler = &transport.Handler{
		Auth:      transport.NewTokenReviewerWith(cs, transport.TokenReviewOptions{Audiences: []string{audience}}),
		Observers: []string{observerUser}, Pods: idx, Resolver: idx, Writer: st, MaxBodyBytes: 64 << 10, MaxRecords: 100,
		Metrics: transport.NewMetrics(in.reg),
	}
	for _, o := range opts {
		o(in.handler)
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
// token of the product's audience for each, not bound to any pod.
func serviceAccountTokens(t testing.TB, cs kubernetes.Interface, names ...string) map[string]string {
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
		tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, n, &authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{Audiences: []string{audience}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create token of %s: %v", n, err)
		}
		out[n] = tr.Status.Token
	}
	return out
}

// makeRecord is an egress of javaapp's pod to an external host, seen now.
func makeRecord(port uint16, count uint64) store.Record {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return store.Record{Workload: javaapp, Observation: flow.Observation{
		LocalIP: netip.MustParseAddr("198.18.0.10"), Direction: flow.Egress,
		Client: netip.MustParseAddr("198.18.0.10"), Server: netip.MustParseAddr("203.0.113.7"),
		ServerPort: port, Protocol: "TCP", Process: "java", Count: count, FirstSeen: now, LastSeen: now,
	}}
}

func TestIngestAppliesEachBatchOnce(t *testing.T) {
	in := startIngest(t)
	c := in.clientFn(in.bound)
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
# HELP netpol_advisor_ingest_records_total Observer records accepted in applied batches.
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
	b.WriteString("# HELP netpol_advisor_ingest_batches_total Batches received from observers, by result: applied, retry (applied before), rejected (4xx), throttled (429), deferred (503: a local pod not known yet), error (5xx).\n")
	b.WriteString("# TYPE netpol_advisor_ingest_batches_total counter\n")
	for _, r := range []string{"applied", "deferred", "error", "rejected", "retry", "throttled"} {
		fmt.Fprintf(&b, "netpol_advisor_ingest_batches_total{result=%q} %g\n", r, want[r])
	}
	wantMetrics(t, reg, b.String(), "netpol_advisor_ingest_batches_total")
}

// wantRefused checks the counters of batches refused as a whole (absent
// reasons: 0).
func wantRefused(t *testing.T, in *ingest, want map[string]float64) {
	t.Helper()
	wantByLabel(t, in, "netpol_advisor_ingest_batches_rejected_total", "reason", want)
}

// wantRejectedRecords checks the counters of records rejected one by one.
func wantRejectedRecords(t *testing.T, in *ingest, want map[string]float64) {
	t.Helper()
	wantByLabel(t, in, "netpol_advisor_ingest_records_rejected_total", "reason", want)
}

func wantByLabel(t *testing.T, in *ingest, name, label string, want map[string]float64) {
	t.Helper()
	mfs, err := in.reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && m.GetCounter().GetValue() != 0 {
					got[l.GetValue()] = m.GetCounter().GetValue()
				}
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s by %s (-want +got):\n%s", name, label, diff)
	}
}
