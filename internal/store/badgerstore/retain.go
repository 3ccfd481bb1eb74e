package badgerstore

import (
	"context"
	"errors"
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
	if _, err := s.expire(ctx, []byte(peerPrefix), s.peerExpired(cutoff)); err != nil {
		return removed, fmt.Errorf("expire the peer index: %w", err)
	}
	s.collectValueLog()
	return removed, nil
}

// peerExpired reports a peer index entry whose last bucket ended at or
// before cutoff.
func (s *Store) peerExpired(cutoff time.Time) func(*badger.Item) (bool, error) {
	return func(item *badger.Item) (expired bool, err error) {
		err = item.Value(func(v []byte) error {
			sp, err := decodeSpan(v)
			expired = err == nil && int64(sp.last)+int64(s.bucket.Seconds()) <= cutoff.Unix()
			return err
		})
		return expired, err
	}
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
		if keys, err = s.delete(keys, expired); err != nil {
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

// delete deletes those of keys that expired still reports, under the
// writer lock: a batch may have written one of them again since they were
// listed (a peer index entry widened to a recent bucket), and that one stays.
// It returns the keys deleted and forgets the index entries Apply
// remembers, which may name one just deleted.
func (s *Store) delete(keys [][]byte, expired func(*badger.Item) (bool, error)) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var deleted [][]byte
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, k := range keys {
			item, err := txn.Get(k)
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			gone, err := expired(item)
			if err != nil {
				return err
			}
			if !gone {
				continue
			}
			if err := txn.Delete(k); err != nil {
				return err
			}
			deleted = append(deleted, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete expired keys: %w", err)
	}
	s.peers = nil
	return deleted, nil
}

// collectValueLog reclaims value-log space freed by rewrites and deletions;
// Badger
// returns ErrNoRewrite when there is nothing worth rewriting.
func (s *Store) collectValueLog() {
	for s.db.RunValueLogGC(0.5) == nil {
	}
}
