package annotator

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// recording counts the annotator's writes and when they were sent, and the
// namespaces it read, in order.
type recording struct {
	client.Client
	mu         sync.Mutex
	times      []time.Time
	namespaces []string
}

func (r *recording) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if _, ok := obj.(*corev1.Namespace); ok {
		r.mu.Lock()
		r.namespaces = append(r.namespaces, key.Name)
		r.mu.Unlock()
	}
	return r.Client.Get(ctx, key, obj, opts...)
}

func (r *recording) Apply(ctx context.Context, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
	r.mu.Lock()
	r.times = append(r.times, time.Now())
	r.mu.Unlock()
	return r.Client.Apply(ctx, obj, opts...)
}

// Writes, not only retries, are rate-limited: n new Deployments, each
// needing its learning annotation, are written no faster than QPS after
// the burst (a token bucket cannot be beaten, so the bound is exact).
func TestAnnotatorWritesAreRateLimited(t *testing.T) {
	const n, qps, burst = 8, 4.0, 2
	cp := testutil.StartControlPlane(t)
	st := openStore(t)
	admin := adminClient(t, cp)
	createNamespace(t, admin, "books", nil)
	for i := range n {
		if err := admin.Create(context.Background(), makeDeployment("books", fmt.Sprintf("ledger-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recording{}
	mgr := startManager(t, cp, st, Options{Resync: time.Hour, QPS: qps, Burst: burst},
		func(c client.Client) client.Client { rec.Client = c; return rec })
	for i := range n {
		waitForState(t, mgr.GetAPIReader(), client.ObjectKey{Namespace: "books", Name: fmt.Sprintf("ledger-%d", i)}, advice.Learning)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.times) != n {
		t.Errorf("%d writes for %d new Deployments, want one each", len(rec.times), n)
	}
	// Any k+burst writes span at least k/qps (with 10 ms for the clock).
	for i := burst; i < len(rec.times); i++ {
		span := rec.times[i].Sub(rec.times[0])
		if min := time.Duration(float64(i-burst+1) / qps * float64(time.Second)); span < min-10*time.Millisecond {
			t.Errorf("write %d came %s after the first, want at least %s at %v/s, burst %d", i, span, min, qps, burst)
		}
	}
	t.Logf("%d writes in %s", len(rec.times), rec.times[len(rec.times)-1].Sub(rec.times[0]))
}
