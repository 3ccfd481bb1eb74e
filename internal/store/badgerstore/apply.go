package badgerstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Apply implements store.Writer. The batch is first merged in memory by
// entry (workload, bucket, edge), then each entry is read, merged and
// written in one transaction together with the observer's sequence number.
// A flow is counted in the bucket of its LastSeen.
func (s *Store) Apply(ctx context.Context, b store.Batch) (bool, error) {
	if b.Observer == "" || b.Seq == 0 {
		return false, fmt.Errorf("apply batch: observer and a sequence number > 0 are required")
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("apply batch %d of %q: %w", b.Seq, b.Observer, err)
	}
	entries := s.entries(b.Flows)
	s.mu.Lock()
	defer s.mu.Unlock()
	applied := false
	err := s.db.Update(func(txn *badger.Txn) error {
		last, err := readSeq(txn, b.Observer)
		if err != nil || b.Seq <= last {
			return err
		}
		for k, c := range entries {
			if err := mergeEntry(txn, []byte(k), c); err != nil {
				return err
			}
		}
		applied = true
		return txn.Set(seqKey(b.Observer), binary.BigEndian.AppendUint64(nil, b.Seq))
	})
	if err != nil {
		return false, fmt.Errorf("apply batch %d of %q: %w", b.Seq, b.Observer, err)
	}
	return applied, nil
}

// entries merges flows by Badger key.
func (s *Store) entries(flows []flow.Flow) map[string]counters {
	out := make(map[string]counters, len(flows))
	var buf []byte
	for _, f := range flows {
		buf = workloadPrefixTo(buf[:0], f.Workload)
		buf = appendBucket(buf, s.bucketOf(f))
		buf = appendEdge(buf, f.Key)
		c := out[string(buf)]
		c.merge(countersOf(f))
		out[string(buf)] = c
	}
	return out
}

func (s *Store) bucketOf(f flow.Flow) time.Time {
	t := f.LastSeen
	if t.IsZero() {
		t = f.FirstSeen
	}
	return t.Truncate(s.bucket)
}

func mergeEntry(txn *badger.Txn, k []byte, c counters) error {
	item, err := txn.Get(k)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return fmt.Errorf("read edge: %w", err)
	default:
		err := item.Value(func(v []byte) error {
			old, err := decodeCounters(v)
			c.merge(old)
			return err
		})
		if err != nil {
			return fmt.Errorf("read edge: %w", err)
		}
	}
	return txn.Set(k, c.encode())
}

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
