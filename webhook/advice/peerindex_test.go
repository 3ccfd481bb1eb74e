package advice_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/internal/fixture"
)

var (
	_ advice.ReferencingBaselines = (*badgerstore.Store)(nil)
	_ advice.InboundFlows         = (*badgerstore.Store)(nil)
)

// The peers' flows to a touched workload come from the store's by-peer
// index, with the same findings as the full read: an ingress deny on
// cassandra, which has no baseline of its own, blocks javaapp's egress to
// it; an ingress deny on an unrelated name blocks nothing.
func TestCheckReadsPeersThroughTheStoreIndex(t *testing.T) {
	st, bs := storyStore(t)
	indexed := &advice.Advisor{Baselines: bs, Inventory: fixture.Static{S: st.Snapshot}}
	scanned := &advice.Advisor{Baselines: fullScan{bs}, Inventory: fixture.Static{S: st.Snapshot}}
	for name, want := range map[string]int{"example-java-app-cassandra": 1, "example-java-app-none": 0} {
		deny := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny", Namespace: "example-java-app"},
			Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": name}},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}
		change := policy.Change{Operation: policy.Create, New: deny}
		got, err := indexed.Check(context.Background(), change)
		if err != nil {
			t.Fatal(err)
		}
		full, err := scanned.Check(context.Background(), change)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full.Findings, got.Findings, cmpopts.EquateComparable(flow.Peer{}.IP)); diff != "" || len(got.Findings) != want {
			t.Errorf("deny on %s: %d findings through the index, want %d as the full read (-full +index):\n%s", name, len(got.Findings), want, diff)
		}
	}
}

// storyStore is the story's snapshot and a Badger store holding its flows.
func storyStore(t *testing.T) (*fixture.Story, *badgerstore.Store) {
	st, err := fixture.LoadStory(storyDir + "cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bs, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bs.Close() })
	if _, err := bs.Apply(context.Background(), store.Batch{Observer: "node-a", Seq: 1, Flows: st.Baseline.Flows}); err != nil {
		t.Fatal(err)
	}
	return st, bs
}

// fullScan hides the store's index: the advisor reads every baseline.
type fullScan struct{ s *badgerstore.Store }

func (f fullScan) Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error) {
	return f.s.Baseline(ctx, w, win)
}

func (f fullScan) Namespace(ctx context.Context, ns string, win flow.Window) ([]flow.Baseline, error) {
	return f.s.Namespace(ctx, ns, win)
}
