package policy

import (
	"math/rand/v2"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// TestSelectorMatchesApimachinery: our selector is a faster stand-in for
// metav1.LabelSelectorAsSelector; on random selectors (NotIn and
// DoesNotExist on missing keys, empty values, structurally invalid ones)
// and label sets it must agree with it, and match nothing where it errs.
func TestSelectorMatchesApimachinery(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	keys, values := []string{"a", "b", "example.com/c"}, []string{"", "1", "2"}
	ops := []metav1.LabelSelectorOperator{metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn,
		metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist, "Bogus"}
	for i := range 20000 {
		ls := &metav1.LabelSelector{}
		for range r.IntN(3) {
			if ls.MatchLabels == nil {
				ls.MatchLabels = map[string]string{}
			}
			ls.MatchLabels[pick(r, keys...)] = pick(r, values...)
		}
		for range r.IntN(3) {
			e := metav1.LabelSelectorRequirement{Key: pick(r, keys...), Operator: pick(r, ops...)}
			for range r.IntN(3) {
				e.Values = append(e.Values, pick(r, values...))
			}
			ls.MatchExpressions = append(ls.MatchExpressions, e)
		}
		set := labels.Set{}
		for range r.IntN(4) {
			set[pick(r, keys...)] = pick(r, values...)
		}
		want := false
		ref, err := metav1.LabelSelectorAsSelector(ls)
		if err == nil {
			want = ref.Matches(set)
		}
		s := newSelector(ls)
		if got := s.matches(set); got != want || s.invalid != (err != nil) {
			t.Fatalf("case %d: selector %v on %v: got match=%v invalid=%v, apimachinery match=%v err=%v", i, ls, set, got, s.invalid, want, err)
		}
	}
}
