package advice_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/internal/fixture"
)

var _ advice.BaselineViews = (*badgerstore.Store)(nil)

// The advisor reads the store's merged baselines without copies
// (BaselineView): reviews and recommendations, two at a time, leave every
// flow of them as it was (run with -race, a write to them fails too).
func TestReviewsLeaveTheStoresBaselinesAlone(t *testing.T) {
	st, bs := storyStore(t)
	views := func() map[flow.WorkloadRef][]flow.Flow {
		out := map[flow.WorkloadRef][]flow.Flow{}
		for ref := range st.Snapshot.Cluster.Workloads {
			if b, err := bs.BaselineView(context.Background(), ref, flow.Window{}); err == nil {
				out[ref] = append([]flow.Flow(nil), b.Flows...)
			}
		}
		return out
	}
	before := views()
	if len(before) == 0 {
		t.Fatal("the story's workloads have no baselines")
	}
	a := &advice.Advisor{Baselines: bs, Inventory: fixture.Static{S: st.Snapshot}}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for ns := range st.Snapshot.Cluster.Namespaces {
				deny := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny", Namespace: ns},
					Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}}
				if _, err := a.Check(context.Background(), policy.Change{Operation: policy.Create, New: deny}); err != nil {
					t.Error(err)
				}
			}
			for _, w := range st.Snapshot.Cluster.Workloads {
				if _, err := a.Recommend(context.Background(), w, nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(before, views(), cmpopts.EquateComparable(flow.Peer{}.IP)); diff != "" {
		t.Errorf("the store's baselines after reviews (-before +after):\n%s", diff)
	}
}
