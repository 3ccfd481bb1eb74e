package annotator

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// With a namespace selector, only the selected namespaces' workloads are
// written; a namespace labelled into the scope later is annotated then.
func TestAnnotatorHonoursTheNamespaceSelector(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	st := openStore(t)
	admin := adminClient(t, cp)
	ctx := context.Background()
	createNamespace(t, admin, "books", map[string]string{"netpol-advisor.io/annotate": "true"})
	createNamespace(t, admin, "games", nil)
	var keys []client.ObjectKey
	for i, ns := range []string{"books", "games"} {
		d := makeDeployment(ns, "api")
		if err := admin.Create(ctx, d); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, client.ObjectKeyFromObject(d))
		observe(t, st, uint64(i+1), flow.WorkloadRef{Namespace: ns, Kind: flow.KindDeployment, Name: "api"})
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"netpol-advisor.io/annotate": "true"}}
	rec := &recording{}
	mgr := startManager(t, cp, st, Options{Resync: 100 * time.Millisecond, Namespaces: sel},
		func(c client.Client) client.Client { rec.Client = c; return rec })
	waitForState(t, mgr.GetAPIReader(), keys[0], advice.Ready)
	// The one worker looked at games (it read the namespace) and then at
	// books again (its resync): games' look is over.
	waitFor(t, func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		seen := false
		for _, ns := range rec.namespaces {
			seen = seen || ns == "games"
			if seen && ns == "books" {
				return true
			}
		}
		return false
	}, "the annotator to look at both namespaces' Deployments")
	var out appsv1.Deployment
	if err := mgr.GetAPIReader().Get(ctx, keys[1], &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Annotations) != 0 {
		t.Errorf("deployment outside the selector annotated: %v", out.Annotations)
	}
	rec.mu.Lock()
	if len(rec.times) != 1 {
		t.Errorf("%d writes, want 1 (the selected namespace's Deployment)", len(rec.times))
	}
	rec.mu.Unlock()

	var ns corev1.Namespace
	if err := admin.Get(ctx, client.ObjectKey{Name: "games"}, &ns); err != nil {
		t.Fatal(err)
	}
	ns.Labels["netpol-advisor.io/annotate"] = "true"
	if err := admin.Update(ctx, &ns); err != nil {
		t.Fatal(err)
	}
	waitForState(t, mgr.GetAPIReader(), keys[1], advice.Ready)
}
