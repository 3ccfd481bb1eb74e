package policy

import (
	"net/netip"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apitypes "k8s.io/apimachinery/pkg/types"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// A policy at the peer's end, kept compiled from one Check to the next,
// is seen anew when it changes: a new resourceVersion (an update), a new
// UID (deleted and created again), or no versions at all (not cached).
// The change isolates api's ingress for the first time; db's connection to
// api:8080 is a finding only while db's own policy allowed it before.
func TestCheckSeesAChangedPolicyAtThePeersEnd(t *testing.T) {
	allows := makePolicy("data", "db-egress", map[string]string{"app": "db"}, types(egr), egressRule(nil, tcp(8080)))
	denies := makePolicy("data", "db-egress", map[string]string{"app": "db"}, types(egr), egressRule(nil, tcp(5432)))
	deny := makePolicy("shop", "deny", map[string]string{"app": "api"}, types(ing))
	at := func(np networkingv1.NetworkPolicy, uid, rv string) networkingv1.NetworkPolicy {
		np.UID, np.ResourceVersion = apitypes.UID(uid), rv
		return np
	}
	f := mkFlow(flow.Egress, wl(appRef), corev1.ProtocolTCP, 8080)
	f.Workload = dbRef
	b := flow.Baseline{Workload: dbRef, Flows: []flow.Flow{f}}
	steps := []struct {
		name   string
		policy networkingv1.NetworkPolicy
		want   int // findings
	}{
		{"allowed before", at(allows, "u1", "1"), 1},
		{"the same version again", at(allows, "u1", "1"), 1},
		{"updated to deny", at(denies, "u1", "2"), 0},
		{"deleted and created allowing, same resourceVersion", at(allows, "u2", "2"), 1},
		{"updated to deny again", at(denies, "u2", "3"), 0},
		{"without versions", allows, 1},
	}
	for _, st := range steps {
		r := Check(CheckInput{Cluster: unitCluster(), Policies: []networkingv1.NetworkPolicy{st.policy},
			Change: Change{Operation: Create, New: &deny}, Baselines: []flow.Baseline{b}})
		if len(r.Findings) != st.want {
			t.Errorf("%s: %d findings, want %d: %v", st.name, len(r.Findings), st.want, r.Findings)
		}
	}
}

// The cache compiles deep copies: a caller reusing its slice for other
// policies afterwards changes nothing of what was cached.
func TestIndexCacheKeepsItsOwnCopies(t *testing.T) {
	np := makePolicy("cache-copies", "p", map[string]string{"app": "a"}, types(ing))
	np.UID, np.ResourceVersion = "u", "1"
	c := &indexCache{byNS: map[string]*cachedIndex{}}
	first := c.index(np.Namespace, []*networkingv1.NetworkPolicy{&np})
	np.Spec.PodSelector.MatchLabels["app"] = "b" // a caller's bug, or a reused buffer
	again := c.index(np.Namespace, []*networkingv1.NetworkPolicy{&np})
	if first != again {
		t.Fatal("the same versions compiled again")
	}
	var got []string
	for _, x := range again.selecting(map[string]string{"app": "a"}) {
		got = append(got, x.np.Name+"="+x.np.Spec.PodSelector.MatchLabels["app"])
	}
	if diff := cmp.Diff([]string{"p=a"}, got); diff != "" {
		t.Errorf("policies selecting app=a (-want +got):\n%s", diff)
	}
}

// On the benchmark's world, a namespace-wide default deny that isolates
// its pods for the first time reports exactly the same, field for field,
// whether the other namespaces' policies come from the cache (versioned,
// checked twice) or are compiled per call (the same policies unversioned).
func TestCheckReportsTheSameFromTheIndexCache(t *testing.T) {
	s := newSynthetic(200, 20, 50)
	x := NewPeerIndex(s.baselines)
	for i := range 10 {
		in := s.proposal(i, true)
		in.Policies = s.policiesWithout(in.Change.New.Namespace)
		in.Baselines = s.narrowed(x, in)
		plain := in
		plain.Policies = nil
		for _, np := range in.Policies {
			np.UID, np.ResourceVersion = "", ""
			plain.Policies = append(plain.Policies, np)
		}
		want := Check(plain)
		if len(want.Findings) == 0 {
			t.Fatalf("proposal %d: no findings to compare", i)
		}
		for _, pass := range []string{"cold", "warm"} {
			if diff := cmp.Diff(want, Check(in), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Fatalf("proposal %d, %s cache: report (-compiled per call +cached):\n%s", i, pass, diff)
			}
		}
	}
}

// Concurrent Checks (the webhook serves reviews in parallel) share the
// cached indexes and report what a Check alone does; run with -race.
func TestCheckConcurrentlyWithTheIndexCache(t *testing.T) {
	s := newSynthetic(100, 20, 20)
	x := NewPeerIndex(s.baselines)
	ins := make([]CheckInput, 8)
	wants := make([]Report, len(ins))
	for i := range ins {
		ins[i] = s.proposal(i, i%2 == 0)
		ins[i].Policies = s.policiesWithout(ins[i].Change.New.Namespace)
		ins[i].Baselines = s.narrowed(x, ins[i])
		wants[i] = Check(ins[i])
	}
	indexes.mu.Lock() // the goroutines fill the cache themselves
	clear(indexes.byNS)
	indexes.size = 0
	indexes.mu.Unlock()
	var wg sync.WaitGroup
	diffs := make([]string, len(ins))
	for i := range ins {
		wg.Go(func() {
			for range 5 {
				if d := cmp.Diff(wants[i], Check(ins[i]), cmpopts.EquateComparable(netip.Addr{})); d != "" {
					diffs[i] = d
				}
			}
		})
	}
	wg.Wait()
	for i, d := range diffs {
		if d != "" {
			t.Errorf("proposal %d checked concurrently (-alone +concurrently):\n%s", i, d)
		}
	}
}
