package badgerstore

import (
	"context"
	"encoding/binary"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

func failing(f flow.Flow, refused, timedOut, unreachable uint64) flow.Flow {
	f.Failures = flow.Failures{Refused: refused, TimedOut: timedOut, Unreachable: unreachable}
	f.Failed = refused + timedOut + unreachable
	return f
}

// TestFailuresArePersisted: why connects failed (refused, timed out,
// unreachable) survives the store: batches merge it per edge (saturating
// like the counts), Baseline and Namespace read it, and so does a reopened
// store.
func TestFailuresArePersisted(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Bucket: time.Minute})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	a := failing(makeFlow(javaapp, mongo, 27017, 0, t0), 2, 1, 0)
	b := failing(makeFlow(javaapp, mongo, 27017, 1, t0.Add(time.Second)), 0, 3, 1)
	b.Failed++ // one failure of unknown kind
	later := failing(makeFlow(javaapp, mongo, 27017, 0, t0.Add(time.Hour)), 1, 0, 0)
	huge := failing(makeFlow(javaapp, external, 443, 0, t0), math.MaxUint64-1, 0, 0)
	mustApply(t, s, "node-a", 1, a, huge)
	mustApply(t, s, "node-a", 2, b, later, huge)

	want := []flow.Flow{
		{Key: a.Key, Count: 1, Failed: 9, Failures: flow.Failures{Refused: 3, TimedOut: 4, Unreachable: 1}, FirstSeen: t0, LastSeen: t0.Add(time.Hour)},
		{Key: huge.Key, Failed: math.MaxUint64, Failures: flow.Failures{Refused: math.MaxUint64}, FirstSeen: t0, LastSeen: t0},
	}
	check := func(when string, s *Store) {
		t.Helper()
		opts := cmp.Options{cmpopts.EquateComparable(netip.Addr{}), cmpopts.SortSlices(func(x, y flow.Flow) bool { return x.Port < y.Port })}
		bl, err := s.Baseline(context.Background(), javaapp, flow.Window{})
		if err != nil {
			t.Fatalf("%s: Baseline: %v", when, err)
		}
		if diff := cmp.Diff(want, bl.Flows, opts); diff != "" {
			t.Errorf("%s: Baseline flows (-want +got):\n%s", when, diff)
		}
		bls, err := s.Namespace(context.Background(), javaapp.Namespace, flow.Window{})
		if err != nil || len(bls) != 1 {
			t.Fatalf("%s: Namespace = %d baselines, %v; want 1", when, len(bls), err)
		}
		if diff := cmp.Diff(want, bls[0].Flows, opts); diff != "" {
			t.Errorf("%s: Namespace flows (-want +got):\n%s", when, diff)
		}
	}
	check("open", s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	check("reopened", openStore(t, dir, time.Minute))
}

// v1Row encodes flows as schema 1 did: the counters without failure kinds.
func v1Row(flows ...flow.Flow) []byte {
	var b []byte
	for _, f := range flows {
		b = appendString(b, string(appendEdge(nil, f.Key)))
		b = countersOf(f).appendTo(b)[:len(b)+countersLenV1]
	}
	return b
}

// TestOpenMigratesSchema1: a store written by schema 1 (with or without
// its metadata, or with a migration that was interrupted) opens with every
// flow kept, the failure kinds unknown (0), takes new failures and then
// reopens as schema 2.
func TestOpenMigratesSchema1(t *testing.T) {
	old := makeFlow(javaapp, mongo, 27017, 5, t0)
	old.Failed = 2
	moved := makeFlow(javaapp, dns, 53, 7, t0.Add(2*time.Hour)) // a row (bucket) of its own
	rowKey := func(prefix string, f flow.Flow) []byte {
		k := appendBucket(workloadPrefix(f.Workload), f.LastSeen.Truncate(time.Minute))
		return append([]byte(prefix), k[len(edgePrefix):]...)
	}
	for _, tc := range []struct {
		name        string
		meta        bool // schema 1 recorded (else: before the metadata existed)
		interrupted bool // moved is already under r/ in schema 2
	}{
		{"schema 1", true, false},
		{"before metadata", false, false},
		{"interrupted migration", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
			if err != nil {
				t.Fatalf("badger.Open: %v", err)
			}
			err = db.Update(func(txn *badger.Txn) error {
				if tc.meta {
					if err := txn.Set([]byte(schemaKey), binary.BigEndian.AppendUint64(nil, 1)); err != nil {
						return err
					}
					if err := txn.Set([]byte(bucketKey), binary.BigEndian.AppendUint64(nil, 60)); err != nil {
						return err
					}
				}
				if tc.interrupted {
					r := row{string(appendEdge(nil, moved.Key)): countersOf(moved)}
					if err := txn.Set(rowKey(edgePrefix, moved), r.encode()); err != nil {
						return err
					}
				} else if err := txn.Set(rowKey(edgePrefixV1, moved), v1Row(moved)); err != nil {
					return err
				}
				// Another bucket of the same workload.
				other := old
				other.FirstSeen, other.LastSeen = t0.Add(time.Hour), t0.Add(time.Hour)
				if err := txn.Set(rowKey(edgePrefixV1, other), v1Row(other)); err != nil {
					return err
				}
				return txn.Set(rowKey(edgePrefixV1, old), v1Row(old))
			})
			if err != nil {
				t.Fatalf("write a schema-1 store: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}

			s, err := Open(dir, Options{Bucket: time.Minute})
			if err != nil {
				t.Fatalf("Open of a schema-1 store: %v", err)
			}
			mustApply(t, s, "node-a", 1, failing(makeFlow(javaapp, mongo, 27017, 0, t0.Add(time.Hour)), 1, 2, 0))
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			s = openStore(t, dir, time.Minute)
			bl, err := s.Baseline(context.Background(), javaapp, flow.Window{})
			if err != nil {
				t.Fatalf("Baseline: %v", err)
			}
			want := []flow.Flow{
				{Key: moved.Key, Count: 7, FirstSeen: moved.FirstSeen, LastSeen: moved.LastSeen},
				{Key: old.Key, Count: 10, Failed: 7, Failures: flow.Failures{Refused: 1, TimedOut: 2}, FirstSeen: t0, LastSeen: t0.Add(time.Hour)},
			}
			opts := cmp.Options{cmpopts.EquateComparable(netip.Addr{}), cmpopts.SortSlices(func(x, y flow.Flow) bool { return x.Port < y.Port })}
			if diff := cmp.Diff(want, bl.Flows, opts); diff != "" {
				t.Errorf("Baseline after migration (-want +got):\n%s", diff)
			}
			err = s.db.View(func(txn *badger.Txn) error {
				schema, _, err := getMeta(txn, schemaKey)
				if err == nil && schema != SchemaVersion {
					t.Errorf("schema after migration = %d, want %d", schema, SchemaVersion)
				}
				it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(edgePrefixV1)})
				defer it.Close()
				for it.Seek([]byte(edgePrefixV1)); it.ValidForPrefix([]byte(edgePrefixV1)); it.Next() {
					t.Errorf("schema-1 row %q left after migration", it.Item().Key())
				}
				return err
			})
			if err != nil {
				t.Fatalf("read metadata: %v", err)
			}
		})
	}
}

// TestRowFromV1RefusesTruncated: a damaged schema-1 row fails the
// migration (and Open) instead of being misread.
func TestRowFromV1RefusesTruncated(t *testing.T) {
	enc := v1Row(makeFlow(javaapp, mongo, 27017, 1, t0))
	if _, err := rowFromV1(enc[:len(enc)-1]); err == nil {
		t.Fatal("rowFromV1 of a truncated row: no error")
	}
	got, err := rowFromV1(enc)
	if err != nil {
		t.Fatalf("rowFromV1: %v", err)
	}
	if len(got) != len(enc)+countersLen-countersLenV1 {
		t.Fatalf("migrated row is %d bytes, want %d", len(got), len(enc)+countersLen-countersLenV1)
	}
}
