package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// TestOpenRefusesAnotherBucketSize reopens a store with a bucket size other
// than the one it was created with: every row key would then be read in
// the wrong bucket, so Open must refuse and say what to do.
func TestOpenRefusesAnotherBucketSize(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustApply(t, s, "node-a", 1, makeFlow(javaapp, mongo, 27017, 1, t0))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err = Open(dir, Options{Bucket: 10 * time.Minute})
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "--bucket=1m0s") {
		t.Fatalf("Open with another bucket: err = %v, want ErrIncompatible naming --bucket=1m0s", err)
	}
	s = openStore(t, dir, time.Minute) // the right size still opens
	if b, err := s.Baseline(context.Background(), javaapp, flow.Window{}); err != nil || len(b.Flows) != 1 {
		t.Fatalf("Baseline after reopening with the same bucket = %v, %v", b.Flows, err)
	}
}

func TestOpenRefusesAnotherSchema(t *testing.T) {
	dir := t.TempDir()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatalf("badger.Open: %v", err)
	}
	err = db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte(schemaKey), []byte{0, 0, 0, 0, 0, 0, 0, SchemaVersion + 1})
	})
	if err != nil {
		t.Fatalf("write a newer schema: %v", err)
	}
	_ = db.Close()
	_, err = Open(dir, Options{})
	if want := fmt.Sprintf("schema version %d", SchemaVersion+1); !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open of a newer schema: err = %v, want ErrIncompatible naming %q", err, want)
	}
}

// TestSequencesExpire: an observer's sequence key goes after SequenceTTL
// without a batch (nodes and outboxes come and go), and stays while it
// keeps sending.
func TestSequencesExpire(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Bucket: time.Minute, SequenceTTL: time.Second})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	mustApply(t, s, "node-a/1", 1, makeFlow(javaapp, mongo, 27017, 1, t0))
	if seq, _ := s.LastSeq(context.Background(), "node-a/1"); seq != 1 {
		t.Fatalf("LastSeq right after Apply = %d, want 1", seq)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		seq, err := s.LastSeq(context.Background(), "node-a/1")
		if err != nil {
			t.Fatalf("LastSeq: %v", err)
		}
		if seq == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sequence of an observer gone quiet is still %d after its TTL", seq)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCountsSaturate merges counts whose sum overflows: the stored count
// stays at the maximum instead of wrapping to a small number.
func TestCountsSaturate(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Minute)
	big := makeFlow(javaapp, mongo, 27017, math.MaxUint64-1, t0)
	big.Failed = math.MaxUint64
	mustApply(t, s, "node-a", 1, big)
	mustApply(t, s, "node-b", 1, makeFlow(javaapp, mongo, 27017, 5, t0))
	mustApply(t, s, "node-a", 2, makeFlow(javaapp, mongo, 27017, 5, t0.Add(time.Hour))) // another bucket: merged on read
	b, err := s.Baseline(context.Background(), javaapp, flow.Window{})
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	if len(b.Flows) != 1 || b.Flows[0].Count != math.MaxUint64 || b.Flows[0].Failed != math.MaxUint64 {
		t.Fatalf("baseline = %+v, want one flow with count and failed at the maximum", b.Flows)
	}
}
