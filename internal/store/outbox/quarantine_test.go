package outbox

import (
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// corrupt overwrites pending batch seq with v, as a bad disk or an older
// encoding would leave it.
func corrupt(t *testing.T, ob *Outbox, seq uint64, v []byte) {
	t.Helper()
	if err := ob.db.Update(func(txn *badger.Txn) error { return txn.Set(batchKey(pendingPrefix, seq), v) }); err != nil {
		t.Fatalf("corrupt batch %d: %v", seq, err)
	}
}

// TestUndecodableBatchesAreQuarantined: a pending batch that cannot be
// decoded used to fail Pending forever, wedging the outbox. It is moved
// to the quarantine and the batches behind it are sent.
func TestUndecodableBatchesAreQuarantined(t *testing.T) {
	dir := t.TempDir()
	ob, err := Open(dir, Options{Node: "node-1"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for i := range 4 {
		if _, err := ob.Append(ctx, []store.Record{makeRecord(uint16(80+i), 1), makeRecord(443, 1)}); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	corrupt(t, ob, 2, append([]byte{2}, `[{"workload":`...)) // a count, then broken JSON
	got, err := ob.Pending(ctx, 10)
	if err != nil {
		t.Fatalf("Pending with an undecodable batch: %v", err)
	}
	if diff := cmp.Diff([]uint64{1, 3, 4}, seqs(got)); diff != "" {
		t.Fatalf("Pending seqs (-want +got):\n%s", diff)
	}
	if n := ob.PendingRecords(); n != 6 {
		t.Fatalf("PendingRecords = %d, want 6 (the quarantined batch's 2 no longer pending)", n)
	}
	corrupt(t, ob, 3, []byte{0x80}) // not even a record count
	if err := ob.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ob = openOutbox(t, dir, Options{Node: "node-1"}) // Open used to fail on it
	got, err = ob.Pending(ctx, 10)
	if err != nil || !cmp.Equal([]uint64{1, 4}, seqs(got)) {
		t.Fatalf("Pending after reopening = %v, %v; want batches 1 and 4", seqs(got), err)
	}
	q, err := ob.Quarantined(ctx)
	if err != nil || len(q) != 2 || q[0].Seq != 2 || q[1].Seq != 3 {
		t.Fatalf("Quarantined = %+v, %v; want batches 2 and 3", q, err)
	}
	for _, b := range q {
		if !strings.Contains(b.Reason, "unreadable") || len(b.Raw) == 0 {
			t.Errorf("quarantined batch %d: reason %q, %d raw bytes; want why and the bytes kept", b.Seq, b.Reason, len(b.Raw))
		}
	}
	if n := ob.QuarantinedBatches(); n != 2 {
		t.Fatalf("QuarantinedBatches = %d, want 2", n)
	}
}

// TestQuarantineKeepsARefusedBatch: a batch the server refused for good is
// kept aside with the reason, not dropped, and no longer blocks the queue.
func TestQuarantineKeepsARefusedBatch(t *testing.T) {
	ob := openOutbox(t, t.TempDir(), Options{})
	for range 2 {
		if _, err := ob.Append(ctx, []store.Record{makeRecord(80, 1)}); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	if err := ob.Quarantine(ctx, 1, "server answered 413: too large"); err != nil {
		t.Fatalf("Quarantine: %v", err)
	}
	if err := ob.Quarantine(ctx, 1, "again"); err == nil {
		t.Fatalf("quarantining a batch no longer pending succeeded")
	}
	got, _ := ob.Pending(ctx, 10)
	if diff := cmp.Diff([]uint64{2}, seqs(got)); diff != "" {
		t.Fatalf("Pending after Quarantine (-want +got):\n%s", diff)
	}
	q, err := ob.Quarantined(ctx)
	if err != nil || len(q) != 1 || q[0].Reason != "server answered 413: too large" || len(q[0].Records) != 1 {
		t.Fatalf("Quarantined = %+v, %v; want batch 1 with its record and reason", q, err)
	}
	if n := ob.PendingRecords(); n != 1 {
		t.Fatalf("PendingRecords = %d, want 1", n)
	}
}
