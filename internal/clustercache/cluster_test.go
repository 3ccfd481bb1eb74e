package clustercache

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

func serviceRange(env *envtest.Environment) {
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "198.19.0.0/16")
}

// server is the server's informer wiring on one manager: the resolver and
// the inventory fed by its single cache.
type server struct {
	idx *resolve.Index
	inv *inventory.Index
}

func startServer(t *testing.T, cp *testutil.ControlPlane, grace time.Duration) server {
	t.Helper()
	mgr, err := ctrl.NewManager(cp.Config, ctrl.Options{Cache: Options(),
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	idx := resolve.NewIndex(grace, nil)
	synced, err := idx.Register(ctx, Informers{Cache: mgr.GetCache()})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := NewInventory(mgr, inventory.Options{Grace: grace})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("manager: %v", err)
		}
	})
	eventually(t, "the caches to sync", func() bool {
		_, err := inv.Snapshot(ctx)
		return synced() && err == nil
	})
	return server{idx: idx, inv: inv}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type objects struct {
	t   *testing.T
	cs  kubernetes.Interface
	ctx context.Context
}

func (o objects) check(what string, err error) {
	o.t.Helper()
	if err != nil {
		o.t.Fatalf("%s: %v", what, err)
	}
}

// pod creates a running pod with ip, as the kubelet would report it.
func (o objects) pod(name, ip string, labels map[string]string, owner []metav1.OwnerReference) *corev1.Pod {
	o.t.Helper()
	p, err := o.cs.CoreV1().Pods("shop").Create(o.ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, OwnerReferences: owner},
		Spec:       corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "main", Image: "registry.invalid/app:1"}}},
	}, metav1.CreateOptions{})
	o.check("create pod", err)
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}},
		StartTime: ptr.To(metav1.Now())}
	p, err = o.cs.CoreV1().Pods("shop").UpdateStatus(o.ctx, p, metav1.UpdateOptions{})
	o.check("set pod IP", err)
	return p
}

func egress(ip string, port uint16, at time.Time) flow.Observation {
	return flow.Observation{Direction: flow.Egress, Client: netip.MustParseAddr("198.18.0.99"), Server: netip.MustParseAddr(ip),
		ServerPort: port, Protocol: corev1.ProtocolTCP, Count: 1, FirstSeen: at, LastSeen: at}
}

// TestServerWiring runs the server's informer wiring against the real
// kube-apiserver: a custom controller chain (an Argo Rollout's ReplicaSet)
// names the same workload in the resolver and the inventory, a Service
// scaled to zero stays a Service, NodeLocal DNSCache is DNS, and what the
// resolver can no longer know is unresolved, never external.
func TestServerWiring(t *testing.T) {
	cp := testutil.StartControlPlane(t, serviceRange)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	ctx := context.Background()
	o := objects{t: t, cs: cs, ctx: ctx}
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{})
	o.check("create namespace", err)
	_, err = cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"},
		Spec: corev1.NodeSpec{PodCIDR: "198.18.0.0/24", PodCIDRs: []string{"198.18.0.0/24"}}}, metav1.CreateOptions{})
	o.check("create node", err)
	s := startServer(t, cp, 2*time.Second)

	// Argo Rollout → ReplicaSet → Pod: the Rollout kind is not known to
	// the API server (no CRD here), which does not check owner references.
	rollout := []metav1.OwnerReference{{APIVersion: "argoproj.io/v1alpha1", Kind: "Rollout", Name: "cart",
		UID: "0b8f3c1e-0000-4000-8000-000000000001", Controller: ptr.To(true)}}
	labels := map[string]string{"app": "cart"}
	rs, err := cs.AppsV1().ReplicaSets("shop").Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "cart-6c9f8", OwnerReferences: rollout},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "registry.invalid/app:1"}}}}},
	}, metav1.CreateOptions{})
	o.check("create replicaset", err)
	podLabels := map[string]string{"app": "cart", "rollouts-pod-template-hash": "6c9f8"}
	o.pod("cart-6c9f8-x", "198.18.0.31", podLabels, []metav1.OwnerReference{*metav1.NewControllerRef(rs, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))})
	svc, err := cs.CoreV1().Services("shop").Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "orders"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "orders"}, Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}}},
		metav1.CreateOptions{})
	o.check("create service", err)

	rolloutRef := flow.WorkloadRef{Namespace: "shop", Kind: "Rollout", Name: "cart"}
	now := time.Now()
	tests := []struct {
		name string
		obs  flow.Observation
		want []resolve.Target
	}{
		{"argo rollout pod", egress("198.18.0.31", 8080, now), []resolve.Target{{Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: rolloutRef}, Port: 8080}}},
		{"service scaled to zero", egress(svc.Spec.ClusterIP, 80, now), []resolve.Target{{Peer: flow.Peer{Kind: flow.PeerService,
			Service: flow.ServiceRef{Namespace: "shop", Name: "orders", Port: 80}}, Port: 8080}}},
		{"node-local dns", egress("169.254.20.10", 53, now), []resolve.Target{{Peer: flow.Peer{Kind: flow.PeerNodeLocalDNS, IP: netip.MustParseAddr("169.254.20.10")}, Port: 53}}},
		{"pod address before the server started", egress("198.18.0.77", 5432, now.Add(-time.Hour)), []resolve.Target{{Peer: flow.Peer{Kind: flow.PeerUnresolved, IP: netip.MustParseAddr("198.18.0.77")}, Port: 5432}}},
		{"outside every pod CIDR, long ago", egress("203.0.113.7", 27017, now.Add(-time.Hour)), []resolve.Target{{Peer: flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}, Port: 27017}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []resolve.Target
			eventually(t, tt.name, func() bool {
				got = s.idx.Remote(tt.obs)
				return cmp.Equal(tt.want, got, cmpopts.EquateComparable(netip.Addr{}))
			})
		})
	}
	t.Run("the inventory names the same workload, with the pod's own labels", func(t *testing.T) {
		var w policy.Workload
		eventually(t, "the rollout in the inventory", func() bool {
			snap, err := s.inv.Snapshot(ctx)
			if err != nil {
				return false
			}
			var ok bool
			w, ok = snap.Cluster.Workloads[rolloutRef]
			return ok && len(w.Pods) == 1
		})
		want := []policy.PodInfo{{Name: "cart-6c9f8-x", Labels: podLabels, IPs: []netip.Addr{netip.MustParseAddr("198.18.0.31")}}}
		if diff := cmp.Diff(want, w.Pods, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
			t.Errorf("replicas (-want +got):\n%s", diff)
		}
	})
	t.Run("a deleted pod's address past the grace is unresolved", func(t *testing.T) { testForgotten(t, o, s) })
}

// testForgotten deletes a pod and replays a flow it made while it ran:
// within the grace it resolves to the pod, after it (a long backlog) to
// unresolved, never to an external address.
func testForgotten(t *testing.T, o objects, s server) {
	o.pod("batch", "198.18.0.40", map[string]string{"app": "batch"}, nil)
	ran := time.Now().Add(200 * time.Millisecond)
	bare := []resolve.Target{{Peer: flow.Peer{Kind: flow.PeerWorkload, Workload: flow.WorkloadRef{Namespace: "shop", Kind: flow.KindPod, Name: "batch"}}, Port: 9000}}
	eventually(t, "the pod", func() bool {
		return cmp.Equal(bare, s.idx.Remote(egress("198.18.0.40", 9000, ran)), cmpopts.EquateComparable(netip.Addr{}))
	})
	time.Sleep(300 * time.Millisecond) // the flow's time is in the pod's life
	o.check("delete pod", o.cs.CoreV1().Pods("shop").Delete(o.ctx, "batch", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}))
	eventually(t, "the deletion", func() bool { _, ok := s.idx.Local(netip.MustParseAddr("198.18.0.40"), time.Now()); return !ok })
	if diff := cmp.Diff(bare, s.idx.Remote(egress("198.18.0.40", 9000, ran)), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Fatalf("within the grace (-want +got):\n%s", diff)
	}
	want := []resolve.Target{{Peer: flow.Peer{Kind: flow.PeerUnresolved, IP: netip.MustParseAddr("198.18.0.40")}, Port: 9000}}
	eventually(t, "the grace to pass", func() bool {
		s.idx.Collect()
		return cmp.Equal(want, s.idx.Remote(egress("198.18.0.40", 9000, ran)), cmpopts.EquateComparable(netip.Addr{}))
	})
}
