package policy

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	networkingv1 "k8s.io/api/networking/v1"
	apitypes "k8s.io/apimachinery/pkg/types"
)

// fakeVersions stamp policies as the API server would: a UID per name,
// renewed now and then (deleted and created again), and a new
// resourceVersion whenever the spec changes. next keeps half the
// namespaces of the list before as they were, so that a cache has
// something to serve.
type fakeVersions struct {
	last   map[string]fakeVersion // by namespace/name
	prev   map[string][]networkingv1.NetworkPolicy
	writes int
	world  int64 // UIDs unique to this instance, as the synthetic worlds'
	r      *rand.Rand
}

type fakeVersion struct {
	spec    string
	uid, rv string
}

func newFakeVersions() *fakeVersions {
	return &fakeVersions{last: map[string]fakeVersion{}, world: worlds.Add(1), r: rand.New(rand.NewPCG(8, 9))}
}

// next is the list after policies were written over the list before.
func (v *fakeVersions) next(policies []networkingv1.NetworkPolicy) []networkingv1.NetworkPolicy {
	byNS := map[string][]networkingv1.NetworkPolicy{}
	for _, np := range policies {
		byNS[np.Namespace] = append(byNS[np.Namespace], np)
	}
	var out []networkingv1.NetworkPolicy
	for _, ns := range []string{"x", "y", "z"} {
		if kept, ok := v.prev[ns]; ok && v.r.IntN(2) == 0 {
			byNS[ns] = kept
		}
		out = append(out, byNS[ns]...)
	}
	v.stamp(out)
	v.prev = map[string][]networkingv1.NetworkPolicy{}
	for _, np := range out {
		v.prev[np.Namespace] = append(v.prev[np.Namespace], *np.DeepCopy())
	}
	return out
}

func (v *fakeVersions) stamp(policies []networkingv1.NetworkPolicy) {
	for i := range policies {
		np := &policies[i]
		spec, err := json.Marshal(np.Spec)
		if err != nil {
			panic(err)
		}
		key := np.Namespace + "/" + np.Name
		last, seen := v.last[key]
		if !seen || last.spec != string(spec) {
			v.writes++
			last.spec, last.rv = string(spec), fmt.Sprint(v.writes)
			if !seen || v.writes%5 == 0 {
				last.uid = fmt.Sprintf("uid-%d-%d", v.world, v.writes)
			}
			v.last[key] = last
		}
		np.UID, np.ResourceVersion = apitypes.UID(last.uid), last.rv
	}
}
