package policy

import (
	"fmt"
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// BenchmarkNSIndexSelecting: the policies of one namespace (20, each
// indexed by its app label) that select a pod carrying six labels, as real
// pods do (app, tier, pod-template-hash and three app.kubernetes.io ones).
func BenchmarkNSIndexSelecting(b *testing.B) {
	s := newSynthetic(1000, 20, 50)
	var cs []*compiled
	for i := range s.policies[:20] {
		cs = append(cs, compile(&s.policies[i], i))
	}
	x := newNSIndex(cs)
	var pods []map[string]string
	for _, ref := range s.refs[:20] {
		l := maps.Clone(s.cluster.Workloads[ref].Labels)
		l["app.kubernetes.io/name"], l["app.kubernetes.io/instance"], l["app.kubernetes.io/version"] = ref.Name, ref.Namespace, "1"
		pods = append(pods, l)
	}
	n := 0
	for i := 0; b.Loop(); i++ {
		n += len(x.selecting(pods[i%len(pods)]))
	}
	if n == 0 {
		b.Fatal("no policy selected any pod")
	}
}

// The index (and its keyOnly shortcut, which skips matching a selector of
// one pair found under that pair) selects exactly the policies whose
// podSelector matches the pod.
func TestNSIndexSelectsWhatSelectorsMatch(t *testing.T) {
	sels := []map[string]string{{"app": "a"}, {"app": "a", "tier": "web"}, {"tier": "web"}, {}, {"app": "b"}}
	var cs []*compiled
	for i, l := range sels {
		np := makePolicy("ns", fmt.Sprintf("p%d", i), l)
		cs = append(cs, compile(&np, i))
	}
	withExpr := makePolicy("ns", "expr", map[string]string{"app": "a"})
	withExpr.Spec.PodSelector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpDoesNotExist}}
	cs = append(cs, compile(&withExpr, len(cs)))
	second := makePolicy("ns", "p-a-2", map[string]string{"app": "a"})
	cs = append(cs, compile(&second, len(cs)))
	// Also without the policies that need matching or sit apart (rest),
	// where single answers with a bucket of the index.
	keyOnly := []*compiled{cs[0], cs[2], cs[4], cs[6]}
	bucketToMatch := []*compiled{cs[0], cs[1], cs[4], cs[6]} // app=a,tier=web sits under app=a
	for _, set := range [][]*compiled{cs, keyOnly, bucketToMatch} {
		x := newNSIndex(set)
		for _, pod := range []map[string]string{{"app": "a"}, {"app": "a", "tier": "web"}, {"app": "a", "tier": "db"}, {"tier": "web"}, {"app": "c"}, {}} {
			var want, got []string
			for _, c := range set {
				if c.selector.matches(labels.Set(pod)) {
					want = append(want, c.np.Name)
				}
			}
			for _, c := range x.selecting(pod) {
				got = append(got, c.np.Name)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%d policies selecting %v (-selector matches +index):\n%s", len(set), pod, diff)
			}
		}
	}
}
