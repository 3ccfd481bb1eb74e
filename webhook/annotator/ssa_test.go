package annotator

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/adjust"
	"github.com/netpol-advisor/netpol-advisor/internal/clustercache"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/inventory"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/workloads"
)

const userDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: books
  annotations:
    team: payments
spec:
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec: {containers: [{name: ledger, image: example.invalid/ledger}]}
`

// The annotator writes by server-side apply under its own field manager,
// which owns its two annotation keys and nothing else; the user's
// (kubectl --server-side) and another tool's fields, annotations and
// managedFields entries stay as they were, and the user's next apply
// neither conflicts nor drops the annotations.
func TestAnnotatorAppliesOnlyItsOwnKeys(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	cp := testutil.StartControlPlane(t)
	st := openStore(t)
	admin := adminClient(t, cp)
	createNamespace(t, admin, "books", nil)
	kubectl(t, cp, []byte(userDeployment), "apply", "--server-side", "-f", "-")
	ctx := context.Background()
	key := client.ObjectKey{Namespace: "books", Name: "ledger"}
	other := &appsv1.Deployment{}
	if err := admin.Get(ctx, key, other); err != nil {
		t.Fatal(err)
	}
	other.Annotations["other.example.com/owner"] = "tool"
	if err := admin.Update(ctx, other, client.FieldOwner("other-tool")); err != nil {
		t.Fatal(err)
	}
	if err := admin.Get(ctx, key, other); err != nil {
		t.Fatal(err)
	}
	before := managers(other)

	mgr := startManager(t, cp, st, Options{Resync: 200 * time.Millisecond}, nil)
	waitForState(t, mgr.GetAPIReader(), key, advice.Learning)
	observe(t, st, 1, flow.WorkloadRef{Namespace: "books", Kind: flow.KindDeployment, Name: "ledger"})
	got := waitForState(t, mgr.GetAPIReader(), key, advice.Ready)

	after := managers(got)
	ours, ok := after[FieldManager]
	if !ok {
		t.Fatalf("no managedFields entry of %s: %v", FieldManager, after)
	}
	wantOurs := entry{Operation: metav1.ManagedFieldsOperationApply, Fields: map[string]any{"f:metadata": map[string]any{"f:annotations": map[string]any{
		"f:" + advice.PolicyAnnotation: map[string]any{}, "f:" + advice.StatusAnnotation: map[string]any{}}}}}
	if diff := cmp.Diff(wantOurs, ours); diff != "" {
		t.Errorf("the annotator's managedFields (-want +got):\n%s", diff)
	}
	delete(after, FieldManager)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("other managers' fields changed (-before +after):\n%s", diff)
	}
	for k, v := range map[string]string{"team": "payments", "other.example.com/owner": "tool"} {
		if got.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, got.Annotations[k], v)
		}
	}

	// The user applies again, changing their annotation: no conflict with
	// the annotator, and the recommendation stays.
	kubectl(t, cp, []byte(strings.Replace(userDeployment, "team: payments", "team: ledgers", 1)), "apply", "--server-side", "-f", "-")
	if err := admin.Get(ctx, key, got); err != nil {
		t.Fatal(err)
	}
	if got.Annotations["team"] != "ledgers" || got.Annotations[advice.PolicyAnnotation] == "" {
		t.Errorf("after the user's apply: annotations %v", got.Annotations)
	}
}

// A policy annotation that another manager shares (the mutating webhook's
// write of a newer recommendation is credited to the user's request) is
// still removed when the recommendation goes back to learning.
func TestAnnotatorRemovesASharedPolicyAnnotation(t *testing.T) {
	cp := testutil.StartControlPlane(t)
	st := openStore(t)
	admin := adminClient(t, cp)
	createNamespace(t, admin, "books", nil)
	ctx := context.Background()
	ref := flow.WorkloadRef{Namespace: "books", Kind: flow.KindDeployment, Name: "ledger"}
	observe(t, st, 1, ref)
	dep := makeDeployment("books", "ledger")
	if err := admin.Create(ctx, dep, client.FieldOwner("user")); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKeyFromObject(dep)
	// Only events wake the annotator up: the test says when it looks.
	mgr := startManager(t, cp, st, Options{Resync: time.Hour}, nil)
	got := waitForState(t, mgr.GetAPIReader(), key, advice.Ready)

	// The user allows the external peer; the webhook writes the newer
	// recommendation into that same request.
	got.Annotations[adjust.Annotation] = "allow: [{cidr: 203.0.113.7/32}]"
	inv, err := clustercache.NewInventory(mgr, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	adv := &advice.Advisor{Baselines: st, Inventory: inv}
	newer, err := adv.Recommend(ctx, workloadsKind(t).Workload(got), got.Annotations)
	if err != nil || newer.Policy == got.Annotations[advice.PolicyAnnotation] || !strings.Contains(newer.Policy, "203.0.113.7/32") {
		t.Fatalf("newer recommendation: %+v, %v", newer, err)
	}
	m, err := newer.Map()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range m {
		got.Annotations[k] = v
	}
	if err := admin.Update(ctx, got, client.FieldOwner("user")); err != nil {
		t.Fatal(err)
	}
	if !owns(got, "user", advice.PolicyAnnotation) {
		t.Fatalf("the user's manager does not own the policy annotation: %v", managers(got))
	}

	if _, err := st.Expire(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The annotator may have written since the user's last read: like
	// kubectl edit, the user's update retries on the newer object.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := admin.Get(ctx, key, got); err != nil {
			return err
		}
		got.Annotations["unrelated"] = "x"
		return admin.Update(ctx, got, client.FieldOwner("user"))
	})
	if err != nil {
		t.Fatal(err)
	}
	got = waitForState(t, mgr.GetAPIReader(), key, advice.Learning)
	waitFor(t, func() bool {
		_ = mgr.GetAPIReader().Get(ctx, key, got)
		_, has := got.Annotations[advice.PolicyAnnotation]
		return !has
	}, "the shared policy annotation to be removed")
	if got.Annotations["unrelated"] != "x" {
		t.Errorf("the user's annotation was lost: %v", got.Annotations)
	}
}

func workloadsKind(t *testing.T) workloads.Kind {
	k, ok := workloads.ByGVK(appsv1.SchemeGroupVersion.WithKind("Deployment"))
	if !ok {
		t.Fatal("no Deployment kind")
	}
	return k
}

// owns reports whether manager owns annotation key on obj.
func owns(obj client.Object, manager, key string) bool {
	f, _ := managers(obj)[manager].Fields["f:metadata"].(map[string]any)
	a, _ := f["f:annotations"].(map[string]any)
	_, ok := a["f:"+key]
	return ok
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type entry struct {
	Operation metav1.ManagedFieldsOperationType
	Fields    map[string]any
}

// managers maps each field manager of obj to what it owns.
func managers(obj client.Object) map[string]entry {
	out := map[string]entry{}
	for _, m := range obj.GetManagedFields() {
		var f map[string]any
		if m.FieldsV1 != nil {
			_ = json.Unmarshal(m.FieldsV1.Raw, &f)
		}
		out[m.Manager] = entry{Operation: m.Operation, Fields: f}
	}
	return out
}

func kubectl(t *testing.T, cp *testutil.ControlPlane, stdin []byte, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, stderr, err := cp.Kubectl(ctx, stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}
