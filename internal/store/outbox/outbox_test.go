package outbox

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

var (
	t0      = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	javaapp = flow.WorkloadRef{Namespace: "example-java-app", Kind: flow.KindDeployment, Name: "example-java-app-javaapp"}
	ctx     = context.Background()
)

func makeRecord(port uint16, count uint64) store.Record {
	return store.Record{Workload: javaapp, Observation: flow.Observation{
		LocalIP: netip.MustParseAddr("198.18.0.10"), Direction: flow.Egress,
		Client: netip.MustParseAddr("198.18.0.10"), Server: netip.MustParseAddr("203.0.113.7"),
		ServerPort: port, Protocol: "TCP", Process: "java", Count: count, FirstSeen: t0, LastSeen: t0,
	}}
}

func openOutbox(t *testing.T, dir string, o Options) *Outbox {
	t.Helper()
	if o.Node == "" {
		o.Node = "node-1"
	}
	ob, err := Open(dir, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = ob.Close() })
	return ob
}

func seqs(p []store.Pending) []uint64 {
	var out []uint64
	for _, b := range p {
		out = append(out, b.Seq)
	}
	return out
}

func TestAppendPendingAck(t *testing.T) {
	ob := openOutbox(t, t.TempDir(), Options{})
	for i := range 3 {
		seq, err := ob.Append(ctx, []store.Record{makeRecord(uint16(27017+i), 1)})
		if err != nil || seq != uint64(i+1) {
			t.Fatalf("Append #%d = %d, %v; want %d", i, seq, err, i+1)
		}
	}
	got, err := ob.Pending(ctx, 2)
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	if diff := cmp.Diff([]uint64{1, 2}, seqs(got)); diff != "" {
		t.Fatalf("Pending(2) seqs (-want +got):\n%s", diff)
	}
	want := []store.Record{makeRecord(27017, 1)}
	if diff := cmp.Diff(want, got[0].Records, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Fatalf("records of batch 1 (-want +got):\n%s", diff)
	}
	if err := ob.Ack(ctx, 2); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	got, _ = ob.Pending(ctx, 10)
	if diff := cmp.Diff([]uint64{3}, seqs(got)); diff != "" {
		t.Fatalf("Pending after Ack(2) (-want +got):\n%s", diff)
	}
	hist, err := ob.History(ctx)
	if err != nil || len(hist) != 2 {
		t.Fatalf("History = %d records, %v; want 2", len(hist), err)
	}
	if n := ob.PendingRecords(); n != 1 {
		t.Fatalf("PendingRecords = %d, want 1", n)
	}
}

func TestReopenKeepsIDSequenceAndPending(t *testing.T) {
	dir := t.TempDir()
	ob, err := Open(dir, Options{Node: "node-1"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	id := ob.ID()
	for range 2 {
		if _, err := ob.Append(ctx, []store.Record{makeRecord(80, 1), makeRecord(443, 2)}); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	if err := ob.Ack(ctx, 1); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if err := ob.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ob = openOutbox(t, dir, Options{Node: "node-1"})
	if ob.ID() != id || !strings.HasPrefix(id, "node-1/") {
		t.Fatalf("ID after reopen = %q, want %q (prefixed by the node)", ob.ID(), id)
	}
	if n := ob.PendingRecords(); n != 2 {
		t.Fatalf("PendingRecords after reopen = %d, want 2", n)
	}
	seq, err := ob.Append(ctx, []store.Record{makeRecord(80, 1)})
	if err != nil || seq != 3 {
		t.Fatalf("Append after reopen = %d, %v; want 3", seq, err)
	}
}

func TestFullOutboxPushesBack(t *testing.T) {
	ob := openOutbox(t, t.TempDir(), Options{MaxRecords: 2})
	batch := []store.Record{makeRecord(80, 1), makeRecord(443, 1)}
	if _, err := ob.Append(ctx, batch); err != nil {
		t.Fatalf("first Append: %v", err)
	}
	if _, err := ob.Append(ctx, batch[:1]); !errors.Is(err, store.ErrOutboxFull) {
		t.Fatalf("Append over capacity: err = %v, want ErrOutboxFull", err)
	}
	if err := ob.Ack(ctx, 1); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if seq, err := ob.Append(ctx, batch[:1]); err != nil || seq != 2 {
		t.Fatalf("Append after Ack = %d, %v; want 2", seq, err)
	}
}

func TestDifferentOutboxesHaveDifferentIDs(t *testing.T) {
	a := openOutbox(t, t.TempDir(), Options{})
	b := openOutbox(t, t.TempDir(), Options{})
	if a.ID() == b.ID() {
		t.Fatalf("two fresh outboxes share the ID %q", a.ID())
	}
	if _, err := Open(t.TempDir(), Options{}); err == nil {
		t.Fatalf("Open without a node name succeeded")
	}
}

// A full batch (5,000 records, over a MiB of JSON) fits the small Badger
// configuration of the outbox: appended, read back, acknowledged.
func TestLargeBatches(t *testing.T) {
	ob := openOutbox(t, t.TempDir(), Options{})
	big := make([]store.Record, 5000)
	for i := range big {
		big[i] = makeRecord(uint16(1024+i), 1)
	}
	for range 3 {
		if _, err := ob.Append(ctx, big); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	got, err := ob.Pending(ctx, 1)
	if err != nil || len(got) != 1 || len(got[0].Records) != 5000 {
		t.Fatalf("Pending = %d batches, %v; want one of 5000 records", len(got), err)
	}
	if err := ob.Ack(ctx, 3); err != nil {
		t.Fatalf("Ack of all three: %v", err)
	}
	if n := ob.PendingRecords(); n != 0 {
		t.Fatalf("PendingRecords = %d after Ack, want 0", n)
	}
}
