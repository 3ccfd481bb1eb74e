package clustercache

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	ctrl "sigs.k8s.io/controller-runtime"
	crcache "sigs.k8s.io/controller-runtime/pkg/cache"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestOneWatchPerKind: the server's resolver and inventory share one
// cache, so the API server serves one watch per kind; the former wiring
// (the resolver's own client-go informers beside the manager's cache) held
// pods, ReplicaSets, Jobs, Services and EndpointSlices twice. It prints
// both wirings' watch counts and heaps with pods in the API server.
func TestOneWatchPerKind(t *testing.T) {
	cp := testutil.StartControlPlane(t, serviceRange)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	ctx := context.Background()
	o := objects{t: t, cs: cs, ctx: ctx}
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{})
	o.check("create namespace", err)
	const pods = 300
	for i := range pods {
		o.pod(fmt.Sprintf("p-%d", i), fmt.Sprintf("198.18.%d.%d", 1+i/250, 1+i%250), map[string]string{"app": "p"}, nil)
	}
	before := watches(t, cs)
	separate := measure(t, cp, cs, before, false)
	shared := measure(t, cp, cs, before, true)
	t.Logf("with %d pods: separate caches %d watches, %.1f MiB heap; one shared cache %d watches, %.1f MiB heap",
		pods, separate.watches, separate.heapMiB, shared.watches, shared.heapMiB)
	// Namespaces, Pods, Deployments, StatefulSets, DaemonSets, CronJobs,
	// ReplicaSets, Jobs, NetworkPolicies, Services, EndpointSlices, Nodes.
	if shared.watches != 12 {
		t.Errorf("one shared cache: %d watches, want one per kind (12)", shared.watches)
	}
	if separate.watches <= shared.watches {
		t.Errorf("separate caches: %d watches, not more than shared (%d)", separate.watches, shared.watches)
	}
}

type figures struct {
	watches int
	heapMiB float64
}

// measure starts the wiring (shared or separate caches), waits for it to
// sync and for the watches to be open, and stops it again.
func measure(t *testing.T, cp *testutil.ControlPlane, cs kubernetes.Interface, base int, shared bool) figures {
	t.Helper()
	heap0 := heapNow()
	ctx, cancel := context.WithCancel(context.Background())
	opts := ctrl.Options{Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"}
	if shared {
		opts.Cache = Options()
	} else {
		opts.Cache = crcache.Options{}
	}
	mgr, err := ctrl.NewManager(cp.Config, opts)
	if err != nil {
		t.Fatal(err)
	}
	var synced func() bool
	if shared {
		idx := resolve.NewIndex(0, nil)
		synced, err = idx.Register(ctx, Informers{Cache: mgr.GetCache()})
	} else {
		_, err = resolve.Watch(ctx, cs, resolve.WatchOptions{})
		synced = func() bool { return true }
	}
	if err != nil {
		t.Fatal(err)
	}
	inv, err := NewInventory(mgr, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var got int
	eventually(t, "the caches to sync and watch", func() bool {
		_, err := inv.Snapshot(ctx)
		got = watches(t, cs) - base
		return err == nil && synced() && got > 0
	})
	time.Sleep(time.Second) // let every informer open its watch
	f := figures{watches: watches(t, cs) - base, heapMiB: float64(heapNow()-heap0) / (1 << 20)}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("manager: %v", err)
	}
	eventually(t, "the watches to close", func() bool { return watches(t, cs) <= base })
	return f
}

func heapNow() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func watches(t *testing.T, cs kubernetes.Interface) int {
	n, _ := testutil.OpenWatches(t, cs)
	return n
}
