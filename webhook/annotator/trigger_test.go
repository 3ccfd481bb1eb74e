package annotator

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// A workload created before its traffic leaves "learning" as soon as its
// first flows are stored through the Trigger's Writer, long before the
// Resync (an hour here) would look at it again.
func TestFirstFlowsTriggerTheAnnotator(t *testing.T) {
	mgr, w, c := startTriggered(t)
	dep := makeDeployment("shop", "api")
	if err := c.Create(context.Background(), dep); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKeyFromObject(dep)
	waitForState(t, mgr.GetAPIReader(), key, advice.Learning)

	ref := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	now := time.Now().UTC()
	b := store.Batch{Observer: "node-1", Seq: 1, Flows: []flow.Flow{{Count: 3, FirstSeen: now, LastSeen: now,
		Key: flow.Key{Workload: ref, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")},
			Port: 443, Protocol: corev1.ProtocolTCP}}}}
	if _, err := w.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	got := waitForState(t, mgr.GetAPIReader(), key, advice.Ready)
	if got.Annotations[advice.PolicyAnnotation] == "" {
		t.Errorf("annotations = %v, want the policy", got.Annotations)
	}
}

// After the first flows, a batch enqueues its workload again only when it
// brings a new successful edge: not for known edges (another process, more
// counts), not for failed connects, not for unregistered kinds; an edge
// refused by the limit is not remembered, so it is handed on when it comes
// again.
func TestTriggerHandsOnFirstFlowsAndNewEdges(t *testing.T) {
	tr := &Trigger{}
	ch := tr.channel(flow.KindDeployment)
	api := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	edge := func(w flow.WorkloadRef, ip string, port int32, count uint64) flow.Flow {
		return flow.Flow{Key: flow.Key{Workload: w, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr(ip)},
			Port: port, Protocol: corev1.ProtocolTCP, Process: "java"}, Count: count, Failed: 1}
	}
	other := edge(api, "203.0.113.7", 443, 5)
	other.Process = "curl"
	job := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindJob, Name: "nightly"}
	for _, step := range []struct {
		name  string
		flows []flow.Flow
		want  int
	}{
		{"first flows", []flow.Flow{edge(api, "203.0.113.7", 443, 3)}, 1},
		{"a known edge, another process", []flow.Flow{other}, 0},
		{"a new edge that only failed", []flow.Flow{edge(api, "203.0.113.8", 443, 0)}, 0},
		{"a new port, twice in the batch", []flow.Flow{edge(api, "203.0.113.7", 443, 1), edge(api, "203.0.113.7", 8443, 1), edge(api, "203.0.113.7", 8443, 2)}, 1},
		{"the same again", []flow.Flow{edge(api, "203.0.113.7", 8443, 1)}, 0},
		{"the failed edge now succeeds", []flow.Flow{edge(api, "203.0.113.8", 443, 1)}, 1},
		{"a kind with no reconciler", []flow.Flow{edge(job, "203.0.113.7", 443, 1)}, 0},
	} {
		tr.Ingested(step.flows)
		if got := drain(ch); got != step.want {
			t.Fatalf("%s: %d workloads enqueued, want %d", step.name, got, step.want)
		}
	}
	tr.setLimit(1e-9, 1) // one token, none after
	tr.Ingested([]flow.Flow{edge(api, "203.0.113.9", 443, 1)})
	tr.Ingested([]flow.Flow{edge(api, "203.0.113.10", 443, 1)})
	if got := drain(ch); got != 1 {
		t.Fatalf("two new edges with one token: %d enqueued, want 1", got)
	}
	tr.setLimit(float64(rate.Inf), 1)
	tr.Ingested([]flow.Flow{edge(api, "203.0.113.10", 443, 1)})
	if got := drain(ch); got != 1 {
		t.Fatalf("the edge the limit refused, sent again: %d enqueued, want 1", got)
	}
}

func drain(ch <-chan event.GenericEvent) int {
	for n := 0; ; n++ {
		select {
		case <-ch:
		default:
			return n
		}
	}
}

// A workload whose baseline gains a new peer after its first flows gets
// the new peer in its annotation at once, not at the Resync (an hour
// here): real Badger, real kube-apiserver.
func TestANewPeerLaterUpdatesTheAnnotation(t *testing.T) {
	mgr, w, c := startTriggered(t)
	for _, name := range []string{"api", "db", "cache"} {
		if err := c.Create(context.Background(), makeDeployment("shop", name)); err != nil {
			t.Fatal(err)
		}
	}
	key := client.ObjectKey{Namespace: "shop", Name: "api"}
	waitForState(t, mgr.GetAPIReader(), key, advice.Learning)
	apply := func(seq uint64, peer string, port int32) {
		now := time.Now().UTC()
		b := store.Batch{Observer: "node-1", Seq: seq, Flows: []flow.Flow{{Count: 1, FirstSeen: now, LastSeen: now,
			Key: flow.Key{Workload: flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}, Direction: flow.Egress,
				Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: peer}},
				Port: port, Protocol: corev1.ProtocolTCP}}}}
		if _, err := w.Apply(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	apply(1, "db", 5432)
	first := waitForState(t, mgr.GetAPIReader(), key, advice.Ready).Annotations[advice.PolicyAnnotation]
	if !strings.Contains(first, "port: 5432") || strings.Contains(first, "6379") {
		t.Fatalf("first recommendation:\n%s\nwant egress to db on 5432 only", first)
	}
	apply(2, "cache", 6379)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d appsv1.Deployment
		if err := mgr.GetAPIReader().Get(context.Background(), key, &d); err != nil {
			t.Fatal(err)
		}
		if p := d.Annotations[advice.PolicyAnnotation]; strings.Contains(p, "app: cache") && strings.Contains(p, "port: 6379") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new peer cache:6379 never reached the annotation:\n%s", d.Annotations[advice.PolicyAnnotation])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startTriggered starts the annotator (Resync an hour: only the Trigger
// can be quick) over a real store and kube-apiserver with the namespace
// shop, and returns the store's writer that hands applied flows to the
// Trigger, as the server wires it.
func startTriggered(t *testing.T) (ctrl.Manager, store.Writer, client.Client) {
	t.Helper()
	cp := testutil.StartControlPlane(t)
	st := openStore(t)
	trigger := &Trigger{}
	mgr := startManager(t, cp, st, Options{Resync: time.Hour, Trigger: trigger}, nil)
	c := adminClient(t, cp)
	createNamespace(t, c, "shop", nil)
	return mgr, store.Notifying{Writer: st, Applied: trigger.Ingested}, c
}
