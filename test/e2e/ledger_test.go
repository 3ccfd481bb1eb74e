package e2e

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const ledgerDir = "testdata/ledger/"

// TestSecondAppEndToEnd runs a second application, with other names,
// ports and shapes than the story's, through the whole product in one
// run: real eBPF in network-namespace pods, the real observer and server
// binaries (ingest into Badger, the admission webhooks registered with a
// real kube-apiserver) and the real kubectl. ledger-api reaches StatefulSet
// ledger-db through a Service whose named target port differs from its
// port, statsd over UDP on a high port through a Service, ledger-audit, an
// external payments API and NodeLocal DNSCache; ledger-web and a CronJob's
// run call it through its Service. The baselines name each peer as
// Kubernetes does; applying the team's policy warns exactly about DNS, the
// payments API, statsd, the audit service and the CronJob; with the user's
// adjustments the recommendations of the Deployment, the StatefulSet and
// the CronJob are the golden ones, and applying ledger-api's warns nothing.
func TestSecondAppEndToEnd(t *testing.T) {
	testutil.RequireRoot(t)
	serverBin, observerBin := buildCommands(t)
	cp := testutil.StartControlPlane(t, testutil.WithAPIServerFlag("service-cluster-ip-range", servicesCIDR))
	w, a := setupLedger(t, cp)
	srv, obs := w.startCommands(t, cp, a, serverBin, observerBin, installWebhooks(t, a)...)
	w.runLedgerTraffic(t)
	w.checkLedgerBaselines(t)

	dryRun := waitWarnings(t, cp, ledgerDir+"handwritten.yaml")
	compareGolden(t, "warnings.golden", []byte(strings.Join(dryRun, "\n")+"\n"))
	_, stderr, err := cp.Kubectl(t.Context(), nil, "apply", "-f", ledgerDir+"handwritten.yaml")
	if err != nil {
		t.Fatalf("kubectl apply the hand-written policy: %v\n%s", err, stderr)
	}
	if diff := cmp.Diff(dryRun, timeless(warnings(stderr))); diff != "" {
		t.Errorf("apply and --dry-run=server warn differently (-dry-run +apply):\n%s", diff)
	}

	adj, err := os.ReadFile(ledgerDir + "adjustments.yaml")
	if err != nil {
		t.Fatal(err)
	}
	kubectl(t, cp, "annotate", "-n", ledgerNS, "deployment/"+ledgerAPI, adjust.Annotation+"="+strings.TrimSpace(string(adj)))
	for _, r := range []struct {
		resource string
		flows    int
	}{{"deployment/" + ledgerAPI, 8}, {"statefulset/ledger-db", 1}, {"cronjob/ledger-reconcile", 1}} {
		t.Run(r.resource, func(t *testing.T) {
			rec := waitRecommendation(t, cp, r.resource, r.flows)
			compareGolden(t, filepath.Base(r.resource)+".golden.yaml", []byte(rec))
			if r.resource == "deployment/"+ledgerAPI {
				applyWithoutWarning(t, cp, rec)
			}
		})
	}
	obs.terminate(t)
	srv.terminate(t)
}

// rejected makes f's connects failed ones that an ICMP error rejected.
func rejected(f flow.Flow, n uint64) flow.Flow {
	f.Failed, f.Failures = n, flow.Failures{Unreachable: n}
	return f
}

// lastSeen is the time in a warning line, which differs at each run.
var lastSeen = regexp.MustCompile(`last \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func timeless(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = lastSeen.ReplaceAllString(l, "last <time>")
	}
	return out
}

// waitWarnings dry-runs the apply of file until the webhook answers with
// warnings (the server patches the configurations' caBundle once its
// certificate is issued; until then the API server ignores the webhook)
// and returns them, times left out.
func waitWarnings(t *testing.T, cp *testutil.ControlPlane, file string) []string {
	t.Helper()
	var lines []string
	waitFor(t, 60*time.Second, "warnings at kubectl apply --dry-run=server", func() (bool, string) {
		_, stderr, err := cp.Kubectl(t.Context(), nil, "apply", "--dry-run=server", "-f", file)
		lines = timeless(warnings(stderr))
		return err == nil && len(lines) > 0, stderr
	})
	return lines
}

// warnings are kubectl's admission warnings.
func warnings(stderr string) []string { return testutil.Warnings(stderr) }

// waitRecommendation waits until the workload's status annotation says
// ready with flows flows, and returns its recommended policy.
func waitRecommendation(t *testing.T, cp *testutil.ControlPlane, resource string, flows int) string {
	t.Helper()
	var ann map[string]string
	waitFor(t, 60*time.Second, resource+" annotated ready with its flows", func() (bool, string) {
		out, stderr, err := cp.Kubectl(t.Context(), nil, "get", "-n", ledgerNS, resource, "-o", "json")
		if err != nil {
			return false, stderr
		}
		var obj metav1.PartialObjectMetadata
		if err := json.Unmarshal([]byte(out), &obj); err != nil {
			return false, err.Error()
		}
		ann = obj.Annotations
		st, err := advice.ParseStatus(ann[advice.StatusAnnotation])
		return err == nil && st.State == advice.Ready && st.Flows == flows, ann[advice.StatusAnnotation]
	})
	return ann[advice.PolicyAnnotation]
}

// applyWithoutWarning applies a policy through kubectl and fails on any
// warning.
func applyWithoutWarning(t *testing.T, cp *testutil.ControlPlane, policy string) {
	t.Helper()
	_, stderr, err := cp.Kubectl(t.Context(), []byte(policy), "apply", "-f", "-")
	if err != nil {
		t.Fatalf("kubectl apply the recommendation: %v\n%s", err, stderr)
	}
	if strings.Contains(stderr, "Warning:") {
		t.Errorf("applying the recommendation warned:\n%s", stderr)
	}
}

// compareGolden compares got with testdata/ledger/name, or rewrites it
// with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := ledgerDir + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// checkLedgerBaselines waits for the baselines to hold exactly what the
// pods did: Services resolved to their backends at the target port, the
// StatefulSet, the CronJob as the owner of its Job's pod, NodeLocal DNS as
// DNS (not external), the payments API external, and the connect to its
// old address that an ICMP error rejected as failed, unreachable.
func (w *ledgerWorld) checkLedgerBaselines(t *testing.T) {
	t.Helper()
	ref := func(kind flow.Kind, name string) flow.WorkloadRef {
		return flow.WorkloadRef{Namespace: ledgerNS, Kind: kind, Name: name}
	}
	api, db, reconcile := ref(flow.KindDeployment, ledgerAPI), ref(flow.KindStatefulSet, "ledger-db"), ref(flow.KindCronJob, "ledger-reconcile")
	via := func(w flow.WorkloadRef, svc string, port int32) flow.Peer {
		return flow.Peer{Kind: flow.PeerWorkload, Workload: w, Service: flow.ServiceRef{Namespace: ledgerNS, Name: svc, Port: port}}
	}
	// The pods' servers run in this test's process (serveTCP, serveUDP),
	// which their accepted connections and received datagrams are named after.
	server := selfComm(t)
	mk := func(self flow.WorkloadRef, dir flow.Direction, peer flow.Peer, port int32, proto corev1.Protocol, n uint64) flow.Flow {
		f := flow.Flow{Key: flow.Key{Workload: self, Direction: dir, Peer: peer, Port: port, Protocol: proto}, Count: n}
		f.Process = map[flow.Direction]string{flow.Egress: "bash", flow.Ingress: server}[dir]
		return f
	}
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	want := map[flow.WorkloadRef][]flow.Flow{
		api: {
			mk(api, flow.Egress, via(db, "ledger-db", 5432), 15432, tcp, apiToDB),
			mk(api, flow.Egress, via(ref(flow.KindDeployment, "ledger-statsd"), "ledger-statsd", 8125), 9125, udp, apiToStatsd),
			mk(api, flow.Egress, flow.Peer{Kind: flow.PeerWorkload, Workload: ref(flow.KindDeployment, "ledger-audit")}, 7000, tcp, apiToAudit),
			mk(api, flow.Egress, flow.Peer{Kind: flow.PeerExternal, IP: w.external}, 443, tcp, apiToPayments),
			mk(api, flow.Egress, flow.Peer{Kind: flow.PeerNodeLocalDNS, IP: nodeLocalDNS.Addr()}, 53, udp, apiToDNS),
			rejected(mk(api, flow.Egress, flow.Peer{Kind: flow.PeerExternal, IP: oldPayments.Addr()}, 443, tcp, 0), apiToOldPayments),
			mk(api, flow.Ingress, flow.Peer{Kind: flow.PeerWorkload, Workload: ref(flow.KindDeployment, "ledger-web")}, 8443, tcp, webToAPI),
			mk(api, flow.Ingress, flow.Peer{Kind: flow.PeerWorkload, Workload: reconcile}, 8443, tcp, reconcileToAPI),
		},
		db:        {mk(db, flow.Ingress, flow.Peer{Kind: flow.PeerWorkload, Workload: api}, 15432, tcp, apiToDB)},
		reconcile: {mk(reconcile, flow.Egress, via(api, ledgerAPI, 80), 8443, tcp, reconcileToAPI)},
	}
	for ref, flows := range want {
		flow.SortFlows(flows)
		w.waitBaseline(t, ref, func(b flow.Baseline) string { return cmp.Diff(flows, b.Flows, ignoreTimes) })
	}
}
