package scale

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// writers is how many clients create objects at once; the API server's
// default in-flight limit (400 mutating) is far above it.
const writers = 16

// newClient is an admin client with a raised rate limit (the default 5
// QPS would take hours to create 30k pods).
func newClient(tb testing.TB, cfg *rest.Config) client.Client {
	cfg = fast(cfg)
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	mapper, err := apiutil.NewDynamicRESTMapper(cfg, hc)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{HTTPClient: hc, Mapper: mapper})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// fast is cfg without client-side rate limit or warnings printed.
func fast(cfg *rest.Config) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 5000, 10000
	cfg.WarningHandler = rest.NoWarnings{}
	return cfg
}

// create puts the world into the API server, writers at a time, and
// returns how long it took.
func (w *world) create(tb testing.TB, c client.Client) time.Duration {
	ctx := context.Background()
	start := time.Now()
	for _, ns := range append([]string{daemonSetNS}, w.namespaces...) {
		mustCreate(tb, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"team": ns}}})
	}
	each(tb, len(w.nodes), func(i int) error { return c.Create(ctx, node(w.nodes[i], i)) })
	all := append([]workload{w.dns}, w.workloads...)
	each(tb, len(all), func(i int) error { return w.createWorkload(ctx, c, all[i]) })
	return time.Since(start)
}

// createWorkload creates wl's owners, pods (with their status), Service,
// EndpointSlice and, for every workload but the DNS and DaemonSets, its
// NetworkPolicy.
func (w *world) createWorkload(ctx context.Context, c client.Client, wl workload) error {
	objs, owner := wl.owners()
	for i, o := range objs {
		if i > 0 { // a CronJob's Job, a Deployment's ReplicaSet
			refs := o.GetOwnerReferences()
			refs[0].UID = objs[i-1].GetUID()
			o.SetOwnerReferences(refs)
		}
		if err := c.Create(ctx, o); err != nil {
			return fmt.Errorf("create %T %s: %w", o, wl.ref, err)
		}
	}
	owner.UID = objs[len(objs)-1].GetUID()
	var pods []*corev1.Pod
	for _, p := range wl.pods {
		po := podObject(wl, p, owner)
		if err := c.Create(ctx, po); err != nil {
			return fmt.Errorf("create pod %s/%s: %w", po.Namespace, po.Name, err)
		}
		po.Status = podStatus(p, w.hostIP(p.node))
		if err := c.Status().Update(ctx, po); err != nil {
			return fmt.Errorf("set the status of pod %s/%s: %w", po.Namespace, po.Name, err)
		}
		pods = append(pods, po)
	}
	if wl.served() || wl.ref == w.dns.ref {
		if err := c.Create(ctx, service(wl)); err != nil {
			return fmt.Errorf("create service %s: %w", wl.ref, err)
		}
		if err := c.Create(ctx, endpointSlice(wl, pods)); err != nil {
			return fmt.Errorf("create endpointslice %s: %w", wl.ref, err)
		}
	}
	if wl.ref.Namespace == daemonSetNS || wl.ref == w.dns.ref {
		return nil
	}
	if err := c.Create(ctx, w.policy(wl)); err != nil {
		return fmt.Errorf("create networkpolicy %s: %w", wl.ref, err)
	}
	return nil
}

func (w *world) hostIP(nodeName string) string {
	var i int
	_, _ = fmt.Sscanf(nodeName, "node-%d", &i)
	return nodeIP(i)
}

// each runs f(0..n-1), writers at a time, and fails on the first error.
func each(tb testing.TB, n int, f func(i int) error) {
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for part := range writers {
		wg.Go(func() {
			for i := part; i < n; i += writers {
				if err := f(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

func mustCreate(tb testing.TB, c client.Client, o client.Object) {
	tb.Helper()
	if err := c.Create(context.Background(), o); err != nil {
		tb.Fatalf("create %T %s: %v", o, o.GetName(), err)
	}
}
