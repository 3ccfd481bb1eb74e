package resolve

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestObserverWatchesOnlyItsPods: an observer watches its node's pods and
// nothing else, names a Deployment's pod by its pod-template-hash and any
// other pod by its own controller; the server lifts a ReplicaSet (an Argo
// Rollout's) or a Job (a CronJob's) to the workload above. It prints the
// API server's watches and the observer index's heap with many ReplicaSets
// and Jobs in the cluster, against the former wiring that also watched
// every ReplicaSet and Job.
func TestObserverWatchesOnlyItsPods(t *testing.T) {
	cp := testutil.StartControlPlane(t, serviceRange)
	cs := kubernetes.NewForConfigOrDie(cp.Config)
	c := &cluster{t: t, cs: cs, ns: "shop"}
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{})
	c.check("create Namespace", err)
	d := c.deployment("api")
	rs := c.replicaSet("api-5d8f6b", c.ownedBy(appsv1.SchemeGroupVersion.WithKind("Deployment"), d))
	c.pod("api-5d8f6b-x1", "198.18.0.10", map[string]string{"pod-template-hash": "5d8f6b"}, c.ownedBy(appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), rs))
	rollout := []metav1.OwnerReference{{APIVersion: "argoproj.io/v1alpha1", Kind: "Rollout", Name: "cart", UID: "0b8f3c1e-0000-4000-8000-000000000002", Controller: ptrTrue()}}
	cartRS := c.replicaSet("cart-6c9f8", rollout)
	c.pod("cart-6c9f8-a", "198.18.0.11", map[string]string{"rollouts-pod-template-hash": "6c9f8"}, c.ownedBy(appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), cartRS))
	cj := c.cronJob("report")
	job := c.job("report-29001", c.ownedBy(batchv1.SchemeGroupVersion.WithKind("CronJob"), cj))
	c.pod("report-29001-q", "198.18.0.12", nil, c.ownedBy(batchv1.SchemeGroupVersion.WithKind("Job"), job))
	const others = 400 // ReplicaSets and Jobs elsewhere in the cluster
	for i := range others {
		c.replicaSet(fmt.Sprintf("other-%d", i), nil)
		c.job(fmt.Sprintf("batch-%d", i), nil)
	}

	base, baseBy := testutil.OpenWatches(t, cs)
	before := observe(t, cs, base, baseBy, true)
	after := observe(t, cs, base, baseBy, false)
	t.Logf("observer with %d ReplicaSets and %d Jobs in the cluster: former wiring %d watches %v, %.2f MiB heap; now %d watches %v, %.2f MiB heap",
		others+2, others+1, before.watches, before.by, before.heapMiB, after.watches, after.by, after.heapMiB)
	if after.watches != 1 || after.by["pods"] != 1 {
		t.Errorf("observer watches %v, want its node's pods only", after.by)
	}

	x := after.x
	at := time.Now()
	ref := func(kind flow.Kind, name string) flow.WorkloadRef {
		return flow.WorkloadRef{Namespace: "shop", Kind: kind, Name: name}
	}
	local := map[string]flow.WorkloadRef{
		"198.18.0.10": ref(flow.KindDeployment, "api"),
		"198.18.0.11": ref(flow.KindReplicaSet, "cart-6c9f8"),
		"198.18.0.12": ref(flow.KindJob, "report-29001"),
	}
	for ip, want := range local {
		if got, ok := x.Local(netip.MustParseAddr(ip), at); !ok || got != want {
			t.Errorf("observer Local(%s) = %v, %v; want %v", ip, got, ok, want)
		}
	}

	wctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	server, err := Watch(wctx, cs, WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lifted := map[flow.WorkloadRef]flow.WorkloadRef{
		ref(flow.KindDeployment, "api"):        ref(flow.KindDeployment, "api"),
		ref(flow.KindReplicaSet, "cart-6c9f8"): ref("Rollout", "cart"),
		ref(flow.KindJob, "report-29001"):      ref(flow.KindCronJob, "report"),
		ref(flow.KindReplicaSet, "gone-1"):     ref(flow.KindReplicaSet, "gone-1"),
	}
	for sent, want := range lifted {
		fl := server.Flows(store.Record{Workload: sent, Observation: egress("203.0.113.7", 443, at)})
		if len(fl) != 1 || fl[0].Workload != want {
			t.Errorf("server Flows of a record of %v: workload %v, want %v", sent, fl, want)
		}
	}
}

type observed struct {
	x       *Index
	watches int
	by      map[string]int
	heapMiB float64
}

// observe starts an observer's index on node-1 (former: with cluster-wide
// ReplicaSet and Job informers besides, as it had) and measures it.
func observe(t *testing.T, cs kubernetes.Interface, base int, baseBy map[string]int, former bool) observed {
	t.Helper()
	heap0 := heapAlloc()
	wctx, cancel := context.WithCancel(ctx)
	x, err := Watch(wctx, cs, WatchOptions{Node: "node-1"})
	if err != nil {
		t.Fatal(err)
	}
	if former {
		f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTransform(trim))
		rs, jobs := f.Apps().V1().ReplicaSets().Informer(), f.Batch().V1().Jobs().Informer()
		_, _ = rs.AddEventHandler(ownerHandler[*appsv1.ReplicaSet](x, "ReplicaSet"))
		_, _ = jobs.AddEventHandler(ownerHandler[*batchv1.Job](x, "Job"))
		f.Start(wctx.Done())
		cache.WaitForCacheSync(wctx.Done(), rs.HasSynced, jobs.HasSynced)
	}
	var o observed
	eventually(t, "the observer's watches", func() bool {
		n, by := testutil.OpenWatches(t, cs)
		o.watches, o.by = n-base, map[string]int{}
		for r, k := range by {
			if k != baseBy[r] {
				o.by[r] = k - baseBy[r]
			}
		}
		return (former && o.watches == 3) || (!former && o.watches == 1)
	})
	o.heapMiB = float64(heapAlloc()-heap0) / (1 << 20)
	o.x = x
	if former {
		cancel()
		eventually(t, "the former watches to close", func() bool { n, _ := testutil.OpenWatches(t, cs); return n <= base })
	} else {
		t.Cleanup(cancel)
	}
	return o
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
