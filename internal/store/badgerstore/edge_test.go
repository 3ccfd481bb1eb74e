package badgerstore

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func TestEdgeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		key  flow.Key
	}{
		{"workload via service", makeFlow(javaapp, mongo, 27017, 1, t0).Key},
		{"external v4", makeFlow(javaapp, external, 27017, 1, t0).Key},
		{"node v6", flow.Key{Workload: javaapp, Direction: flow.Ingress, Port: 8080, Protocol: "TCP",
			Peer: flow.Peer{Kind: flow.PeerNode, IP: netip.MustParseAddr("fd00:198:18::1"), Node: "node-1"}}},
		{"udp without process", flow.Key{Workload: javaapp, Direction: flow.Egress, Port: 53, Protocol: "UDP", Peer: dns}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeEdge(javaapp, appendEdge(nil, tt.key))
			if err != nil {
				t.Fatalf("decodeEdge: %v", err)
			}
			if diff := cmp.Diff(tt.key, got, equateAddr); diff != "" {
				t.Fatalf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeEdgeRejectsTruncated(t *testing.T) {
	b := appendEdge(nil, makeFlow(javaapp, mongo, 27017, 1, t0).Key)
	for n := range len(b) {
		if _, err := decodeEdge(javaapp, b[:n]); err == nil {
			t.Fatalf("decodeEdge of %d of %d bytes succeeded", n, len(b))
		}
	}
}

func TestSplitEdgeKey(t *testing.T) {
	edge := appendEdge(nil, makeFlow(javaapp, mongo, 27017, 1, t0).Key)
	k := append(appendBucket(workloadPrefix(javaapp), t0), edge...)
	w, start, gotEdge, err := splitEdgeKey(k)
	if err != nil {
		t.Fatalf("splitEdgeKey: %v", err)
	}
	if w != javaapp || !start.Equal(t0) || string(gotEdge) != string(edge) {
		t.Fatalf("splitEdgeKey = %v %v %q; want %v %v %q", w, start, gotEdge, javaapp, t0, edge)
	}
}
