package inventory

import (
	"context"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// BenchmarkSnapshotAfterOneChange is what a review pays when one pod
// changed since the last one, with 3,000 Deployments of 10 pods (30k pods)
// indexed: the changed workload is rebuilt, the rest shared.
func BenchmarkSnapshotAfterOneChange(b *testing.B) {
	x := NewIndex(Options{})
	const deps, per = 3000, 10
	for d := range deps {
		name := fmt.Sprintf("app-%d", d)
		x.SetReplicaSet(&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name + "-5d4",
			OwnerReferences: ctl("Deployment", name)}})
		for p := range per {
			x.SetPod(runningPod(fmt.Sprintf("%s-5d4-%d", name, p), fmt.Sprintf("198.18.%d.%d", d/250, 1+p+10*(d%25)),
				map[string]string{"app": name}, ctl("ReplicaSet", name+"-5d4")))
		}
	}
	ctx := context.Background()
	if _, err := x.Snapshot(ctx); err != nil {
		b.Fatal(err)
	}
	pod := runningPod("app-7-5d4-0", "198.18.0.71", map[string]string{"app": "app-7"}, ctl("ReplicaSet", "app-7-5d4"))
	pod.UID = types.UID("app-7-5d4-0")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		pod.Labels = map[string]string{"app": "app-7", "rev": fmt.Sprint(i)}
		x.SetPod(pod)
		if _, err := x.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s, _ := x.Snapshot(ctx)
	if len(s.Cluster.Workloads) != deps {
		b.Fatalf("%d workloads, want %d", len(s.Cluster.Workloads), deps)
	}
}
