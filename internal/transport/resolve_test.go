package transport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// TestIngestResolvesServicePeers sends what an observer sees (a connection
// to a ClusterIP and Service port) and finds in the baseline the backend
// workload, the Service and the target port a policy must allow.
func TestIngestResolvesServicePeers(t *testing.T) {
	cp := testutil.StartControlPlane(t, func(env *envtest.Environment) {
		env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "198.19.0.0/16")
	})
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	serviceAccountTokens(t, cs, "observer")
	token := podBoundToken(t, cs, "node-1")
	clusterIP := mongoService(t, cs)
	createPod(t, cs, makePod("example-java-app", "example-java-app-javaapp", "abcde", "node-1", "198.18.0.10"))
	wctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	idx, err := resolve.Watch(wctx, cs, resolve.WatchOptions{})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h := &transport.Handler{Auth: transport.NewTokenReviewer(cs, time.Minute, audience), Observers: []string{observerUser},
		Pods: idx, Resolver: idx, Writer: st}
	rec := makeRecord(27017, 4)
	rec.Observation.Server = clusterIP
	if code, msg := serveDirect(h, token, store.Pending{Seq: 1, Records: []store.Record{rec}}); code != 200 {
		t.Fatalf("ingest: %d %s", code, msg)
	}
	b, err := st.Baseline(ctx, javaapp, flow.Window{})
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	want := flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindPod, Name: "mongo-0"},
		Service: flow.ServiceRef{Namespace: "example-java-app", Name: "mongo", Port: 27017}}
	if len(b.Flows) != 1 || b.Flows[0].Peer != want || b.Flows[0].Port != 27018 || b.Flows[0].Count != 4 {
		t.Fatalf("baseline = %+v, want the mongo pod via its Service on target port 27018, counted 4 times", b.Flows)
	}
}

// serveDirect hands a batch to the handler in-process.
func serveDirect(h http.Handler, token string, p store.Pending) (int, string) {
	body, _ := json.Marshal(transport.Request{Version: transport.WireVersion, Observer: "node-1/abc", Seq: p.Seq, Records: p.Records})
	req := httptest.NewRequest(http.MethodPost, transport.BatchPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// mongoService creates a pod, a Service with a named target port and the
// EndpointSlice the controller would make; it returns the ClusterIP.
func mongoService(t *testing.T, cs kubernetes.Interface) netip.Addr {
	const ns = "example-java-app"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(err)
	p, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "mongo-0"},
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "mongo", Image: "registry.invalid/mongo:7",
			Ports: []corev1.ContainerPort{{Name: "mongo", ContainerPort: 27018}}}}}}, metav1.CreateOptions{})
	must(err)
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: "198.18.0.40"}}, PodIP: "198.18.0.40"}
	_, err = cs.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	must(err)
	svc, err := cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "mongo"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "mongo"},
			Ports: []corev1.ServicePort{{Name: "db", Port: 27017, TargetPort: intstr.FromString("mongo")}}}}, metav1.CreateOptions{})
	must(err)
	_, err = cs.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: "mongo-abcde", Labels: map[string]string{discoveryv1.LabelServiceName: "mongo"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("db"), Port: ptr.To[int32](27018), Protocol: ptr.To(corev1.ProtocolTCP)}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"198.18.0.40"},
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "mongo-0"}}},
	}, metav1.CreateOptions{})
	must(err)
	return netip.MustParseAddr(svc.Spec.ClusterIP)
}
