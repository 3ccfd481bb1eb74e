package annotator

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crconfig "sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/netpol-advisor/netpol-advisor/internal/clustercache"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// A Deployment created before any traffic is seen is marked learning; when
// its baseline arrives in the (real) store, the annotator writes the
// recommendation, without touching the spec or the user's annotations.
func TestAnnotationsFollowTheBaseline(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	mgr := startManager(t, cp, st, Options{Resync: 200 * time.Millisecond}, nil)
	c := mgr.GetAPIReader()
	ctx := context.Background()
	w, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}); err != nil {
		t.Fatal(err)
	}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", Annotations: map[string]string{"team": "a"}},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "api"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "api", Image: "example.invalid/api"}}}}}}
	if err := w.Create(ctx, dep); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKeyFromObject(dep)
	got := waitForState(t, c, key, advice.Learning)
	if _, has := got.Annotations[advice.PolicyAnnotation]; has {
		t.Error("learning deployment has a policy annotation")
	}

	ref := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	now := time.Now().UTC()
	_, err = st.Apply(ctx, store.Batch{Observer: "node-1", Seq: 1, Flows: []flow.Flow{{
		Key:   flow.Key{Workload: ref, Direction: flow.Egress, Peer: flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}, Port: 443, Protocol: corev1.ProtocolTCP},
		Count: 3, FirstSeen: now, LastSeen: now}}})
	if err != nil {
		t.Fatal(err)
	}
	got = waitForState(t, c, key, advice.Ready)
	if got.Annotations[advice.PolicyAnnotation] == "" || got.Annotations["team"] != "a" {
		t.Errorf("annotations = %v, want the policy and the user's team=a", got.Annotations)
	}
	// Annotations bump a Deployment's generation (they are copied to its
	// ReplicaSets) but must not change the pod template: that would roll it.
	if !apiequality.Semantic.DeepEqual(got.Spec, dep.Spec) {
		t.Errorf("spec changed:\n%v\n%v", got.Spec, dep.Spec)
	}
}

// startManager runs the annotator with o; wrap, when set, wraps the
// client it writes through.
func startManager(t *testing.T, cp *testutil.ControlPlane, st *badgerstore.Store, o Options, wrap func(client.Client) client.Client) ctrl.Manager {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(cp.Config, ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		// Every test starts its own manager in this one process.
		Controller: crconfig.Controller{SkipNameValidation: ptr.To(true)}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := clustercache.NewInventory(mgr, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	adv := &advice.Advisor{Baselines: st, Inventory: inv}
	c := mgr.GetClient()
	if wrap != nil {
		c = wrap(c)
	}
	r := &Reconciler{Client: c, Recommender: adv, Options: o}
	if err := r.SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("manager: %v", err)
		}
	})
	return mgr
}

func waitForState(t *testing.T, c client.Reader, key client.ObjectKey, state string) *appsv1.Deployment {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d appsv1.Deployment
		if err := c.Get(context.Background(), key, &d); err != nil {
			t.Fatal(err)
		}
		if st, err := advice.ParseStatus(d.Annotations[advice.StatusAnnotation]); err == nil && st.State == state {
			return &d
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment annotations never reached state %s: %v", state, d.Annotations)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
