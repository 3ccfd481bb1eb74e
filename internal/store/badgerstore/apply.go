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

// Apply implements store.Writer. The batch is first grouped in memory by
// row (workload and bucket), then each row is read, merged and written in
// one transaction together with the observer's sequence number and the
// by-peer index (peerindex.go). A flow is counted in the bucket of its
// LastSeen.
func (s *Store) Apply(ctx context.Context, b store.Batch) (bool, error) {
	if b.Observer == "" || b.Seq == 0 {
		return false, fmt.Errorf("apply batch: observer and a sequence number > 0 are required")
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("apply batch %d of %q: %w", b.Seq, b.Observer, err)
	}
	rows, spans := s.rows(b.Flows), s.peerSpans(b.Flows)
	s.mu.Lock()
	defer s.mu.Unlock()
	spans = s.peers.uncovered(spans)
	applied := false
	err := s.db.Update(func(txn *badger.Txn) error {
		last, err := readSeq(txn, b.Observer)
		if err != nil || b.Seq <= last {
			return err
		}
		if err := mergeAll(txn, rows, spans); err != nil {
			return err
		}
		applied = true
		e := badger.NewEntry(seqKey(b.Observer), binary.BigEndian.AppendUint64(nil, b.Seq))
		if s.seqTTL > 0 {
			e = e.WithTTL(s.seqTTL)
		}
		return txn.SetEntry(e)
	})
	if err != nil {
		return false, fmt.Errorf("apply batch %d of %q: %w", b.Seq, b.Observer, err)
	}
	if applied {
		s.peers.remember(spans)
		s.whole.apply(rows)
	}
	return applied, nil
}

// mergeAll merges rows and the peer index entries spans into the store,
// leaving in spans each entry as it now is.
func mergeAll(txn *badger.Txn, rows map[string]row, spans map[string]span) error {
	for k, r := range rows {
		if err := mergeRow(txn, []byte(k), r); err != nil {
			return err
		}
	}
	for k, sp := range spans {
		merged, err := mergeSpan(txn, []byte(k), sp)
		if err != nil {
			return err
		}
		spans[k] = merged
	}
	return nil
}

// rows groups flows by row key, merging equal edges.
func (s *Store) rows(flows []flow.Flow) map[string]row {
	out := make(map[string]row)
	var key, edge []byte
	for _, f := range flows {
		key = appendBucket(workloadPrefixTo(key[:0], f.Workload), s.bucketOf(f))
		r, ok := out[string(key)]
		if !ok {
			r = row{}
			out[string(key)] = r
		}
		edge = appendEdge(edge[:0], f.Key)
		r.add(string(edge), countersOf(f))
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

func mergeRow(txn *badger.Txn, k []byte, r row) error {
	item, err := txn.Get(k)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return fmt.Errorf("read baseline row: %w", err)
	default:
		var v []byte
		err := item.Value(func(old []byte) error {
			var err error
			v, err = r.mergeInto(old)
			return err
		})
		if err != nil {
			return fmt.Errorf("read baseline row %q: %w", k, err)
		}
		return txn.Set(k, v)
	}
	return txn.Set(k, r.encode())
}

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
