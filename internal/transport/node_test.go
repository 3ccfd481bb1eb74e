package transport_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// TestObserverSendsOnlyAsItsNode uses a token bound to an observer pod on
// node-1: the API server puts the node's name in it, and the server then
// refuses batches under another node's name.
func TestObserverSendsOnlyAsItsNode(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	serviceAccountTokens(t, cs, "observer")
	token := podBoundToken(t, cs, "node-1")
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	mux := http.NewServeMux()
	mux.Handle(transport.BatchPath, &transport.Handler{Auth: transport.NewTokenReviewer(cs, time.Minute),
		Observers: []string{observerUser}, Resolver: resolve.NewIndex(0, nil), Writer: st})
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	c := &transport.Client{URL: srv.URL, HTTP: srv.Client(), Token: func() (string, error) { return token, nil }}
	batch := store.Pending{Seq: 1, Records: []store.Record{makeRecord(27017, 1)}}
	if _, err := c.Send(ctx, "node-2/abc", batch); err == nil {
		t.Fatalf("node-1's observer could send as node-2")
	}
	if _, err := c.Send(ctx, "node-1/abc", batch); err != nil {
		t.Fatalf("node-1's observer sending as itself: %v", err)
	}
}

func podBoundToken(t *testing.T, cs kubernetes.Interface, node string) string {
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
		Spec: authnv1.TokenRequestSpec{BoundObjectRef: &authnv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: p.Name, UID: p.UID}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod-bound token: %v", err)
	}
	return tr.Status.Token
}
