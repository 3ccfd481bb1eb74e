package webhook

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/webhook/internal/fixture"
)

// reviewsPerRun is how many dry-run creates one run times.
const reviewsPerRun = 200

// BenchmarkValidateThroughAPIServer: p99 of a NetworkPolicy dry-run create
// through the real kube-apiserver with the webhook registered, on the
// synthetic cluster of BenchmarkValidateHandler created as real objects
// (goal: <= 20 ms). Run it with -benchtime 1x: each run is 200 creates.
func BenchmarkValidateThroughAPIServer(b *testing.B) {
	s := startSuite(b, Options{NoAnnotator: true})
	syn := fixture.NewSynthetic(benchNamespaces, benchPerNamespace, benchEdges)
	fillStore(b, s.store, syn)
	cfg := rest.CopyConfig(s.cp.Config)
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.QPS, cfg.Burst = 1000, 1000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	createSynthetic(b, cs, syn)
	waitForDeployments(b, s, len(syn.Refs)+1)
	var times, bare []time.Duration
	b.ResetTimer()
	for b.Loop() {
		for i := range reviewsPerRun {
			np := proposal(syn, i)
			times = append(times, dryRunCreate(b, cs, np))
			// The same create where the webhook does not apply (its own
			// namespace is excluded): the API server's share of the time.
			np.Namespace = "netpol-advisor"
			bare = append(bare, dryRunCreate(b, cs, np))
		}
	}
	reportPercentiles(b, times)
	slices.Sort(bare)
	b.ReportMetric(float64(bare[len(bare)*99/100].Microseconds())/1e3, "p99-without-webhook-ms")
}

func dryRunCreate(b *testing.B, cs kubernetes.Interface, np *networkingv1.NetworkPolicy) time.Duration {
	start := time.Now()
	_, err := cs.NetworkingV1().NetworkPolicies(np.Namespace).Create(context.Background(), np, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	took := time.Since(start)
	if err != nil {
		b.Fatalf("dry-run create: %v", err)
	}
	return took
}

// createSynthetic creates the synthetic cluster's namespaces, Deployments
// and NetworkPolicies, four writers at a time.
func createSynthetic(b *testing.B, cs kubernetes.Interface, syn *fixture.Synthetic) {
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "netpol-advisor"}}, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	for ns, labels := range syn.Snapshot.Cluster.Namespaces {
		if ns == "kube-system" {
			continue
		}
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var refs []flow.WorkloadRef
	for ref := range syn.Snapshot.Cluster.Workloads {
		refs = append(refs, ref)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for part := range 4 {
		wg.Go(func() {
			for i := part; i < len(refs); i += 4 {
				if err := createWorkload(ctx, cs, syn, refs[i]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func createWorkload(ctx context.Context, cs kubernetes.Interface, syn *fixture.Synthetic, ref flow.WorkloadRef) error {
	w := syn.Snapshot.Cluster.Workloads[ref]
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name}, Spec: appsv1.DeploymentSpec{
		Selector: &metav1.LabelSelector{MatchLabels: w.Labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: w.Labels}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "example.invalid/app", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}}}}}
	if _, err := cs.AppsV1().Deployments(ref.Namespace).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create deployment %s: %w", ref, err)
	}
	for _, np := range syn.Snapshot.Policies {
		if np.Namespace == ref.Namespace && np.Name == ref.Name {
			if _, err := cs.NetworkingV1().NetworkPolicies(ref.Namespace).Create(ctx, &np, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("create networkpolicy %s: %w", ref, err)
			}
		}
	}
	return nil
}

func waitForDeployments(b *testing.B, s *suite, n int) {
	waitFor(b, 2*time.Minute, fmt.Sprintf("the cache to hold %d deployments", n), func() bool {
		var deps appsv1.DeploymentList
		return s.mgr.GetClient().List(context.Background(), &deps) == nil && len(deps.Items) >= n
	})
	time.Sleep(3 * time.Second) // the shared snapshot (2 s) is rebuilt from the full cache
}
