package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// mergeFindings sorts by flow key and merges the findings of one edge
// whatever order they come in: processes sorted and named once, counts
// added, the first message kept.
func TestMergeFindingsSortsAndMergesEdges(t *testing.T) {
	finding := func(p flow.Peer, port int32, process string, count uint64) Finding {
		f := mkFlow(flow.Egress, p, corev1.ProtocolTCP, port)
		f.Process, f.Count = process, count
		return Finding{Class: ClassPeer, Flow: f, Message: "m", Fix: "x"}
	}
	in := []Finding{
		finding(wl(webRef), 80, "psql", 1),
		finding(wl(dbRef), 5432, "psql", 2),
		finding(wl(webRef), 80, "api", 4),
		finding(wl(dbRef), 5432, "api", 8),
		finding(wl(webRef), 80, "psql", 16),
		finding(wl(dbRef), 443, "java", 32),
	}
	type row struct {
		Peer    string
		Port    int32
		Process string
		Count   uint64
	}
	var got []row
	for _, fd := range mergeFindings(in) {
		got = append(got, row{fd.Flow.Peer.Workload.Name, fd.Flow.Port, fd.Flow.Process, fd.Flow.Count})
	}
	want := []row{{"db", 443, "java", 32}, {"db", 5432, "api,psql", 10}, {"web", 80, "api,psql", 21}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged findings (-want +got):\n%s", diff)
	}
}

// mergeFindings is mergeHits of findings written already.
func mergeFindings(in []Finding) []Finding {
	hits := make([]hit, len(in))
	for i := range in {
		hits[i] = hit{fd: &in[i]}
	}
	return mergeHits(hits, func(h *hit) Finding { return *h.fd })
}
