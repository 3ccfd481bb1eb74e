package badgerstore

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// expireChunk bounds how many keys one delete transaction holds.
const expireChunk = 10000

// Expire deletes every row (a bucket, or a rolled-up hour or day) that
// ended at or before cutoff and returns how many rows it removed, drops the
// peer index entries whose last bucket ended then, then reclaims value-log
// space (rows are rewritten as deltas arrive). A rolled-up row goes as a
// whole: data is kept until the end of its row is past the retention. The
// merged rows of the workloads it removed rows of are computed again from
// the rows kept (refill), so the next read over everything stays warm. Run
// it periodically with cutoff = now - retention.
func (s *Store) Expire(ctx context.Context, cutoff time.Time) (int, error) {
	rowExpired := func(item *badger.Item) (bool, error) {
		_, rs, err := splitRowKey(item.Key(), s.bucket)
		return err == nil && !rs.end().After(cutoff), err
	}
	removed, err := s.expire(ctx, []byte(edgePrefix), rowExpired)
	if err != nil {
		return removed, fmt.Errorf("expire buckets: %w", err)
	}
	peerExpired := func(item *badger.Item) (expired bool, err error) {
		err = item.Value(func(v []byte) error {
			sp, err := decodeSpan(v)
			expired = err == nil && int64(sp.last)+int64(s.bucket.Seconds()) <= cutoff.Unix()
			return err
		})
		return expired, err
	}
	if _, err := s.expire(ctx, []byte(peerPrefix), peerExpired); err != nil {
		return removed, fmt.Errorf("expire the peer index: %w", err)
	}
	s.mu.Lock()
	s.peers = nil // it may remember entries just deleted
	s.mu.Unlock()
	s.collectValueLog()
	return removed, nil
}

// expire deletes the keys under prefix that expired reports, a chunk at a
// time, and returns how many.
func (s *Store) expire(ctx context.Context, prefix []byte, expired func(*badger.Item) (bool, error)) (int, error) {
	removed := 0
	for {
		keys, err := s.expiredKeys(ctx, prefix, expired)
		if err != nil || len(keys) == 0 {
			return removed, err
		}
		if err := s.delete(keys); err != nil {
			return removed, err
		}
		if err := s.refillAll(ctx, keys); err != nil {
			return removed, err
		}
		removed += len(keys)
	}
}

// expiredKeys returns up to expireChunk expired keys under prefix.
func (s *Store) expiredKeys(ctx context.Context, prefix []byte, expired func(*badger.Item) (bool, error)) ([][]byte, error) {
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix) && len(keys) < expireChunk; it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			gone, err := expired(it.Item())
			if err != nil {
				return err
			}
			if gone {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
		}
		return nil
	})
	return keys, err
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
		return fmt.Errorf("delete expired keys: %w", err)
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
