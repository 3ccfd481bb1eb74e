package badgerstore

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// expireChunk bounds how many keys one delete transaction holds.
const expireChunk = 10000

// Expire deletes every bucket that ended at or before cutoff and returns how
// many rows (workload and bucket) it removed, then reclaims value-log space
// (rows are rewritten as deltas arrive). Run it periodically with cutoff =
// now - retention.
func (s *Store) Expire(ctx context.Context, cutoff time.Time) (int, error) {
	removed := 0
	for {
		keys, err := s.expiredKeys(ctx, cutoff)
		if err != nil {
			return removed, err
		}
		if len(keys) == 0 {
			break
		}
		if err := s.delete(keys); err != nil {
			return removed, err
		}
		removed += len(keys)
	}
	s.collectValueLog()
	return removed, nil
}

// expiredKeys returns up to expireChunk keys of expired buckets.
func (s *Store) expiredKeys(ctx context.Context, cutoff time.Time) ([][]byte, error) {
	var keys [][]byte
	prefix := []byte(edgePrefix)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix) && len(keys) < expireChunk; it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			_, start, err := splitRowKey(it.Item().Key())
			if err != nil {
				return err
			}
			if !start.Add(s.bucket).After(cutoff) {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find expired buckets: %w", err)
	}
	return keys, nil
}

func (s *Store) delete(keys [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete expired buckets: %w", err)
	}
	return nil
}

// collectValueLog reclaims value-log space freed by rewrites and deletions;
// Badger
// returns ErrNoRewrite when there is nothing worth rewriting.
func (s *Store) collectValueLog() {
	for s.db.RunValueLogGC(0.5) == nil {
	}
}
