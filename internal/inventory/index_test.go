package inventory

import (
	"context"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

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

// A snapshot lists its workloads by namespace (policy.Cluster.ByNamespace,
// so that Check need not group them per call), exactly its Workloads'
// keys; a workload under admission joins a copy of the list.
func TestSnapshotGroupsWorkloadsByNamespace(t *testing.T) {
	x := NewIndex(Options{})
	x.SetPod(runningPod("cart-1", "198.18.0.11", map[string]string{"app": "cart"}, nil))
	other := runningPod("web-1", "198.18.0.12", map[string]string{"app": "web"}, nil)
	other.Namespace = "front"
	x.SetPod(other)
	s, err := x.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	grouped := func(c *policy.Cluster) map[string][]flow.WorkloadRef {
		out := map[string][]flow.WorkloadRef{}
		for ref := range c.Workloads {
			out[ref.Namespace] = append(out[ref.Namespace], ref)
		}
		return out
	}
	byName := cmpopts.SortSlices(func(a, b flow.WorkloadRef) bool { return a.String() < b.String() })
	if diff := cmp.Diff(grouped(s.Cluster), s.Cluster.ByNamespace, byName); diff != "" || len(s.Cluster.ByNamespace) != 2 {
		t.Errorf("ByNamespace (-the workloads +listed):\n%s", diff)
	}
	api := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}
	c := s.WithWorkload(policy.Workload{Ref: api, Labels: map[string]string{"app": "api"}})
	if diff := cmp.Diff(grouped(c), c.ByNamespace, byName); diff != "" {
		t.Errorf("ByNamespace with the admitted workload (-the workloads +listed):\n%s", diff)
	}
	if diff := cmp.Diff(grouped(s.Cluster), s.Cluster.ByNamespace, byName); diff != "" {
		t.Errorf("the shared snapshot's list was changed (-the workloads +listed):\n%s", diff)
	}
}

func ctl(kind, name string) []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: types.UID(kind + name), Controller: ptr.To(true)}}
}

func runningPod(name, ip string, labels map[string]string, owner []metav1.OwnerReference) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: types.UID(name), Labels: labels, OwnerReferences: owner},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: ip}}}}
}

// TestIndexFollowsEvents: events in any order (a pod before its
// ReplicaSet) end in the same workloads; a snapshot is shared until the
// next change and never changed by later events.
func TestIndexFollowsEvents(t *testing.T) {
	x := NewIndex(Options{})
	ctx := context.Background()
	x.SetPod(runningPod("cart-6c9f8-a", "198.18.0.11", map[string]string{"app": "cart", "rollouts-pod-template-hash": "6c9f8"}, ctl("ReplicaSet", "cart-6c9f8")))
	x.SetPod(runningPod("cart-6c9f8-b", "198.18.0.10", map[string]string{"app": "cart", "rollouts-pod-template-hash": "6c9f8"}, ctl("ReplicaSet", "cart-6c9f8")))
	first, err := x.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rsRef := flow.WorkloadRef{Namespace: "shop", Kind: flow.KindReplicaSet, Name: "cart-6c9f8"}
	if _, ok := first.Cluster.Workloads[rsRef]; !ok {
		t.Fatalf("before its ReplicaSet is known, the pods' workload is the ReplicaSet: %v", first.Cluster.Workloads)
	}
	if again, _ := x.Snapshot(ctx); again != first {
		t.Error("an unchanged index built a new snapshot")
	}
	x.SetReplicaSet(&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "cart-6c9f8",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "argoproj.io/v1alpha1", Kind: "Rollout", Name: "cart", Controller: ptr.To(true)}}}})
	s, _ := x.Snapshot(ctx)
	rollout := flow.WorkloadRef{Namespace: "shop", Kind: "Rollout", Name: "cart"}
	ips := []netip.Addr{netip.MustParseAddr("198.18.0.10"), netip.MustParseAddr("198.18.0.11")}
	want := map[flow.WorkloadRef]policy.Workload{rollout: {Ref: rollout,
		Labels: map[string]string{"app": "cart", "rollouts-pod-template-hash": "6c9f8"}, IPs: ips,
		Pods: []policy.PodInfo{
			{Name: "cart-6c9f8-a", Labels: map[string]string{"app": "cart", "rollouts-pod-template-hash": "6c9f8"}, IPs: ips[1:]},
			{Name: "cart-6c9f8-b", Labels: map[string]string{"app": "cart", "rollouts-pod-template-hash": "6c9f8"}, IPs: ips[:1]},
		}}}
	if diff := cmp.Diff(want, s.Cluster.Workloads, cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("after the ReplicaSet (-want +got):\n%s", diff)
	}
	if _, ok := first.Cluster.Workloads[rsRef]; !ok || len(first.Cluster.Workloads) != 1 {
		t.Error("a later event changed an earlier snapshot")
	}
	x.DeletePod(runningPod("cart-6c9f8-a", "", nil, nil))
	x.DeletePod(runningPod("cart-6c9f8-b", "", nil, nil))
	if s, _ := x.Snapshot(ctx); len(s.Cluster.Workloads) != 0 {
		t.Errorf("without pods or controller object, workloads = %v", s.Cluster.Workloads)
	}
}

// The kinds a review reads of a namespace are those of its workloads,
// whether found through the snapshot's list by namespace or over every
// workload.
func TestKindsInTheNamespace(t *testing.T) {
	refs := []flow.WorkloadRef{{Namespace: "shop", Kind: flow.KindStatefulSet, Name: "db"}, {Namespace: "shop", Kind: flow.KindCronJob, Name: "purge"},
		{Namespace: "front", Kind: flow.KindDeployment, Name: "web"}}
	c := &policy.Cluster{Workloads: map[flow.WorkloadRef]policy.Workload{}}
	for _, ref := range refs {
		c.Workloads[ref] = policy.Workload{Ref: ref}
	}
	var want [len(workloadKinds)]bool
	for i, k := range workloadKinds {
		want[i] = k.kind == flow.KindStatefulSet || k.kind == flow.KindCronJob
	}
	if got := kindsIn(&Snapshot{Cluster: c}, "shop"); got != want {
		t.Errorf("kinds of shop over every workload = %v, want %v", got, want)
	}
	c.GroupWorkloads()
	if got := kindsIn(&Snapshot{Cluster: c}, "shop"); got != want {
		t.Errorf("kinds of shop through ByNamespace = %v, want %v", got, want)
	}
}
