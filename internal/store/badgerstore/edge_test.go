package badgerstore

import (
	"net/netip"
	"testing"
	"time"

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

func TestSplitRowKey(t *testing.T) {
	w, sp, err := splitRowKey(appendBucket(workloadPrefix(javaapp), t0), time.Minute)
	start := sp.start
	if err != nil {
		t.Fatalf("splitRowKey: %v", err)
	}
	if w != javaapp || !start.Equal(t0) {
		t.Fatalf("splitRowKey = %v %v; want %v %v", w, start, javaapp, t0)
	}
	if _, _, err := splitRowKey(workloadPrefix(javaapp), time.Minute); err == nil {
		t.Fatalf("splitRowKey of a key without bucket succeeded")
	}
	k := appendSpan(workloadPrefix(javaapp), t0, time.Hour, time.Minute)
	if w, sp, err := splitRowKey(k, time.Minute); err != nil || w != javaapp || sp != (rowSpan{t0, time.Hour}) {
		t.Fatalf("splitRowKey of a rolled-up row = %v %v %v; want %v from %v for 1h", w, sp, err, javaapp, t0)
	}
	if next := appendBucket(workloadPrefix(javaapp), t0.Add(time.Minute)); string(k) >= string(next) {
		t.Fatalf("a rolled-up row sorts after the next bucket's row")
	}
}

func TestRowRoundTrip(t *testing.T) {
	r := row{}
	for _, f := range []flow.Flow{makeFlow(javaapp, mongo, 27017, 2, t0), makeFlow(javaapp, external, 27017, 1, t0)} {
		r.add(string(appendEdge(nil, f.Key)), countersOf(f))
	}
	got := row{}
	if err := got.decode(r.encode()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if diff := cmp.Diff(r, got, cmp.AllowUnexported(counters{})); diff != "" {
		t.Fatalf("row round trip (-want +got):\n%s", diff)
	}
	enc := r.encode()
	if err := (row{}).decode(enc[:len(enc)-1]); err == nil {
		t.Fatalf("decode of a truncated row succeeded")
	}
}

func TestMergeIntoEqualsDecodeAndEncode(t *testing.T) {
	edge := func(f flow.Flow) string { return string(appendEdge(nil, f.Key)) }
	a, b, c := makeFlow(javaapp, mongo, 27017, 2, t0), makeFlow(javaapp, external, 27017, 1, t0), makeFlow(javaapp, dns, 53, 7, t0)
	old := row{edge(a): countersOf(a), edge(c): countersOf(c)}
	add := row{edge(b): countersOf(b), edge(c): countersOf(c)}
	got, err := add.mergeInto(old.encode())
	if err != nil {
		t.Fatalf("mergeInto: %v", err)
	}
	want := row{}
	for _, r := range []row{old, add} {
		for e, cs := range r {
			want.add(e, cs)
		}
	}
	if string(got) != string(want.encode()) {
		t.Fatalf("mergeInto differs from decoding, merging and encoding")
	}
	if _, err := add.mergeInto(old.encode()[:5]); err == nil {
		t.Fatalf("mergeInto of a truncated row succeeded")
	}
}
