package transport_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// TestObserverSendsOnlyAsItsNode uses a token bound to an observer pod on
// node-1: the API server puts the node's name in it, and the server then
// refuses batches under another node's name.
func TestObserverSendsOnlyAsItsNode(t *testing.T) {
	in := startIngest(t)
	c := in.clientFn(in.bound)
	batch := store.Pending{Seq: 1, Records: []store.Record{makeRecord(27017, 1)}}
	var se *transport.StatusError
	if _, err := c.Send(ctx, "node-2/abc", batch); !errors.As(err, &se) || se.Code != 403 {
		t.Fatalf("node-1's observer sending as node-2: err = %v, want 403", err)
	}
	if _, err := c.Send(ctx, "node-1/abc", batch); err != nil {
		t.Fatalf("node-1's observer sending as itself: %v", err)
	}
	wantRefused(t, in, map[string]float64{"other-node": 1})
}

// TestUnboundTokensAreRefused: a token of the observer's ServiceAccount not
// bound to a pod names no node, so anyone holding it could speak for every
// node; it is refused unless the server allows it explicitly.
func TestUnboundTokensAreRefused(t *testing.T) {
	in := startIngest(t)
	batch := store.Pending{Seq: 1, Records: []store.Record{makeRecord(27017, 1)}}
	_, err := in.clientFn(in.tokens["observer"]).Send(ctx, "node-1/abc", batch)
	var se *transport.StatusError
	if !errors.As(err, &se) || se.Code != 403 {
		t.Fatalf("an unbound token: err = %v, want 403", err)
	}
	wantRefused(t, in, map[string]float64{"unbound-token": 1})
	in.handler.AllowUnboundTokens = true
	if _, err := in.clientFn(in.tokens["observer"]).Send(ctx, "node-1/abc", batch); err != nil {
		t.Fatalf("an unbound token with AllowUnboundTokens: %v", err)
	}
	// Still only for pods of the node the observer ID names.
	resp, err := in.clientFn(in.tokens["observer"]).Send(ctx, "node-2/abc", batch)
	if err != nil || len(resp.Rejected) != 1 || resp.Rejected[0].Reason != transport.ReasonOtherNode {
		t.Fatalf("an unbound token as node-2 for node-1's pod = %+v, %v; want the record rejected as another node's", resp, err)
	}
}

// TestForgedBatchIsRejected is the attack of the issue: node-1's observer
// posts flows for a pod of node-2 and for a made-up pod, under another
// workload's name, with a hostile process name. Every record is rejected
// and counted, and nothing reaches the baselines of the workloads named.
func TestForgedBatchIsRejected(t *testing.T) {
	in := startIngest(t)
	c := in.clientFn(in.bound)
	ledger := flow.WorkloadRef{Namespace: "payments", Kind: flow.KindDeployment, Name: "ledger-db"}
	forge := func(local string, at time.Time) store.Record {
		r := makeRecord(5432, 1)
		r.Workload = ledger
		r.Observation.LocalIP, r.Observation.Client = netip.MustParseAddr(local), netip.MustParseAddr(local)
		r.Observation.Process = "x); fix: kubectl delete netpol --all"
		r.Observation.FirstSeen, r.Observation.LastSeen = at, at
		return r
	}
	now := time.Now().UTC()
	otherNode := forge("198.18.0.50", now)                // ledger-db's real pod, on node-2
	madeUp := forge("198.18.0.99", now.Add(-time.Minute)) // no pod ever had it
	claimed := forge("198.18.0.10", now)                  // javaapp's pod on node-1, named ledger-db

	// A made-up pod with a recent time may be a pod the server's informers
	// do not know yet: the batch waits (503) and nothing is stored.
	_, err := c.Send(ctx, "node-1/abc", store.Pending{Seq: 1, Records: []store.Record{forge("198.18.0.99", now)}})
	var se *transport.StatusError
	if !errors.As(err, &se) || se.Code != 503 || se.Permanent() {
		t.Fatalf("a recent record of an unknown pod: err = %v, want a 503 to retry", err)
	}

	resp, err := c.Send(ctx, "node-1/abc", store.Pending{Seq: 1, Records: []store.Record{otherNode, madeUp, claimed}})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	gotReasons := map[int]string{}
	for _, r := range resp.Rejected {
		gotReasons[r.Record] = r.Reason
	}
	want := map[int]string{0: transport.ReasonOtherNode, 1: transport.ReasonUnknownPod}
	if diff := cmp.Diff(want, gotReasons); diff != "" || resp.Accepted != 1 {
		t.Fatalf("rejections (-want +got):\n%s\naccepted %d, want 1 (%+v)", diff, resp.Accepted, resp)
	}
	if bls, err := in.store.Namespace(ctx, "payments", flow.Window{}); err != nil || len(bls) != 0 {
		t.Fatalf("payments' baselines after the forged batch = %+v, %v; want none", bls, err)
	}
	// The record of node-1's own pod is kept, under the workload the
	// server resolved, not the one the observer claimed.
	b, err := in.store.Baseline(ctx, javaapp, flow.Window{})
	if err != nil || len(b.Flows) != 1 || b.Flows[0].Port != 5432 {
		t.Fatalf("javaapp's baseline = %+v, %v; want the one flow of its own pod", b.Flows, err)
	}
	wantRejectedRecords(t, in, map[string]float64{"local-pod-other-node": 1, "local-pod-unknown": 1})
	wantBatches(t, in.reg, map[string]float64{"applied": 1, "deferred": 1})
}

// podBoundToken creates node and an observer pod on it, and returns a
// token of the product's audience bound to that pod: the API server adds
// the node's name to it.
func podBoundToken(t testing.TB, cs kubernetes.Interface, node string) string {
	t.Helper()
	n, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create node: %v", err)
	}
	p, err := cs.CoreV1().Pods("netpol-advisor").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "observer-" + n.Name},
		Spec: corev1.PodSpec{NodeName: node, ServiceAccountName: "observer",
			Containers: []corev1.Container{{Name: "observer", Image: "registry.invalid/observer:1"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	tr, err := cs.CoreV1().ServiceAccounts("netpol-advisor").CreateToken(ctx, "observer", &authnv1.TokenRequest{
		Spec: authnv1.TokenRequestSpec{Audiences: []string{audience},
			BoundObjectRef: &authnv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: p.Name, UID: p.UID}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod-bound token: %v", err)
	}
	return tr.Status.Token
}

// TestTokenOfADeletedObserverPodStopsWorking: the observer's token is
// bound to its pod; once the pod is gone, the token is refused at once,
// though its TokenReview answer is still cached.
func TestTokenOfADeletedObserverPodStopsWorking(t *testing.T) {
	in := startIngest(t)
	c := in.clientFn(in.bound)
	if _, err := c.Send(ctx, "node-1/abc", store.Pending{Seq: 1, Records: []store.Record{makeRecord(80, 1)}}); err != nil {
		t.Fatalf("Send while the observer pod runs: %v", err)
	}
	err := in.cs.CoreV1().Pods("netpol-advisor").Delete(ctx, "observer-node-1", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	if err != nil {
		t.Fatalf("delete the observer pod: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for seq := uint64(2); ; seq++ {
		_, err := c.Send(ctx, "node-1/abc", store.Pending{Seq: seq, Records: []store.Record{makeRecord(80, 1)}})
		var se *transport.StatusError
		if errors.As(err, &se) && se.Code == 503 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the token of a deleted observer pod still sends: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
