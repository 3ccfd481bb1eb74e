package inventory

import (
	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// countingReader counts List calls: one per kind per rebuild.
type countingReader struct {
	client.Reader
	lists atomic.Int32
}

func (c *countingReader) List(ctx context.Context, l client.ObjectList, o ...client.ListOption) error {
	c.lists.Add(1)
	return c.Reader.List(ctx, l, o...)
}

func TestCachedRebuildsOnlyWhenStale(t *testing.T) {
	r := &countingReader{Reader: fake.NewClientBuilder().WithObjects(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}).Build()}
	c := &Cached{Reader: r, MaxAge: time.Hour}
	first, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	perBuild := r.lists.Load()
	if again, _ := c.Snapshot(context.Background()); again != first || r.lists.Load() != perBuild {
		t.Error("a fresh snapshot was rebuilt")
	}
	c.Invalidate()
	if again, _ := c.Snapshot(context.Background()); again == first || r.lists.Load() != 2*perBuild {
		t.Error("Invalidate did not force a rebuild")
	}
}

func TestWithWorkloadLeavesTheSnapshotAlone(t *testing.T) {
	ref := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	ip := netip.MustParseAddr("198.18.0.5")
	s := &Snapshot{Cluster: &policy.Cluster{Workloads: map[flow.WorkloadRef]policy.Workload{
		ref: {Ref: ref, Labels: map[string]string{"v": "1"}, IPs: []netip.Addr{ip}}}}}
	c := s.WithWorkload(policy.Workload{Ref: ref, Labels: map[string]string{"v": "2"}})
	if got := c.Workloads[ref]; got.Labels["v"] != "2" || len(got.IPs) != 1 {
		t.Errorf("admitted workload = %+v, want new labels and the known pod IPs", got)
	}
	if s.Cluster.Workloads[ref].Labels["v"] != "1" {
		t.Error("the shared snapshot was changed")
	}
}
