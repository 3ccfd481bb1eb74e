package annotator

import (
	"context"
	"net/netip"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

func openStore(t *testing.T) *badgerstore.Store {
	t.Helper()
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func adminClient(t *testing.T, cp *testutil.ControlPlane) client.Client {
	t.Helper()
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createNamespace(t *testing.T, c client.Client, name string, labels map[string]string) {
	t.Helper()
	if err := c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}); err != nil {
		t.Fatal(err)
	}
}

func makeDeployment(ns, name string) *appsv1.Deployment {
	l := map[string]string{"app": name}
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: l},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: l},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "example.invalid/" + name}}}}}}
}

// observe stores one external egress flow of w, as an observer would.
func observe(t *testing.T, st *badgerstore.Store, seq uint64, w flow.WorkloadRef) {
	t.Helper()
	now := time.Now().UTC()
	_, err := st.Apply(context.Background(), store.Batch{Observer: "node-1", Seq: seq, Flows: []flow.Flow{{
		Key:   flow.Key{Workload: w, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}, Port: 443, Protocol: corev1.ProtocolTCP},
		Count: 3, FirstSeen: now, LastSeen: now}}})
	if err != nil {
		t.Fatal(err)
	}
}
