package inventory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func versioned(ns, name, rv string) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
		UID: types.UID(ns + "/" + name), ResourceVersion: rv}}
}

// replacedBySorting is what replacePolicies must equal: the other
// namespaces' policies and fresh, sorted together.
func replacedBySorting(all, fresh []networkingv1.NetworkPolicy, namespace string) []networkingv1.NetworkPolicy {
	var out []networkingv1.NetworkPolicy
	for _, np := range all {
		if np.Namespace != namespace {
			out = append(out, np)
		}
	}
	out = append(out, fresh...)
	sortPolicies(out)
	return out
}

func TestReplacePoliciesMatchesSortingEverything(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := func(ns string, n int, rv string) []networkingv1.NetworkPolicy {
		var out []networkingv1.NetworkPolicy
		for range n {
			out = append(out, versioned(ns, fmt.Sprintf("p%d", r.IntN(2*n+1)), rv))
		}
		slices.SortFunc(out, func(a, b networkingv1.NetworkPolicy) int { return cmpName(a, b) })
		return slices.CompactFunc(out, func(a, b networkingv1.NetworkPolicy) bool { return a.Name == b.Name })
	}
	for range 500 {
		var all []networkingv1.NetworkPolicy
		for _, ns := range []string{"a", "b", "c", "d"} {
			if r.IntN(4) > 0 {
				all = append(all, names(ns, r.IntN(5), "1")...)
			}
		}
		sortPolicies(all)
		ns := []string{"", "a", "b", "c", "d", "e"}[r.IntN(6)]
		fresh := names(ns, r.IntN(5), fmt.Sprint(r.IntN(2)+1))
		r.Shuffle(len(fresh), func(i, j int) { fresh[i], fresh[j] = fresh[j], fresh[i] })
		want := replacedBySorting(all, slices.Clone(fresh), ns)
		got := replacePolicies(all, fresh, ns)
		if !slices.Equal(keys(got), keys(want)) {
			t.Fatalf("replace %s in %v by %v:\n got %v\nwant %v", ns, keys(all), keys(fresh), keys(got), keys(want))
		}
	}
}

func cmpName(a, b networkingv1.NetworkPolicy) int {
	switch {
	case a.Name < b.Name:
		return -1
	case a.Name > b.Name:
		return 1
	}
	return 0
}

func keys(ps []networkingv1.NetworkPolicy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Namespace+"/"+p.Name+"@"+p.ResourceVersion+" "+string(p.UID))
	}
	return out
}

// The informers' list is kept when the API server has the same objects at
// the same versions, and replaced when any version, UID or member differs.
func TestReplacePoliciesKeepsTheListOnlyWhenNothingChanged(t *testing.T) {
	all := []networkingv1.NetworkPolicy{versioned("a", "x", "1"), versioned("b", "x", "1"), versioned("b", "y", "1"), versioned("c", "x", "1")}
	same := []networkingv1.NetworkPolicy{versioned("b", "y", "1"), versioned("b", "x", "1")}
	if got := replacePolicies(all, same, "b"); &got[0] != &all[0] {
		t.Errorf("same versions: got a new list %v", keys(got))
	}
	recreated := versioned("b", "y", "1")
	recreated.UID = "other"
	unversioned := versioned("b", "y", "")
	for name, fresh := range map[string][]networkingv1.NetworkPolicy{
		"updated":     {versioned("b", "x", "1"), versioned("b", "y", "2")},
		"deleted":     {versioned("b", "x", "1")},
		"added":       {versioned("b", "x", "1"), versioned("b", "y", "1"), versioned("b", "z", "1")},
		"recreated":   {versioned("b", "x", "1"), recreated},
		"unversioned": {versioned("b", "x", "1"), unversioned},
	} {
		got := replacePolicies(all, fresh, "b")
		if &got[0] == &all[0] {
			t.Errorf("%s: the informers' list was kept", name)
		}
		if want := replacedBySorting(all, fresh, "b"); !slices.Equal(keys(got), keys(want)) {
			t.Errorf("%s: got %v, want %v", name, keys(got), keys(want))
		}
	}
}
