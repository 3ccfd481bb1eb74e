package policy

import (
	"maps"
	"testing"
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
