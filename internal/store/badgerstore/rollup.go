package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// rollupChunk bounds the rows one rollup transaction merges.
const rollupChunk = 2048

// group is the rows of one workload that belong in one rolled-up row:
// the rows to merge (the rolled-up row itself among them when it exists).
type group struct {
	w      flow.WorkloadRef
	target rowSpan
	keys   [][]byte
}

// Rollup merges the rows that Options.Rollups say are old enough at now
// into their coarser rows and returns how many rows it merged away. The
// merge is exact for everything a row holds (counts and failures summed,
// first seen the earliest, last seen the latest); only the time resolution
// is lost: a window starting inside a rolled-up row reads the whole row and
// says so in its Window. Each workload's rolled-up row is written, its
// by-peer index entries widened to it and the rows it merged deleted in one
// transaction, so an interrupted rollup leaves every flow counted once and
// the next one goes on. Run it periodically, before Expire.
func (s *Store) Rollup(ctx context.Context, now time.Time) (int, error) {
	if len(s.rollups) == 0 {
		return 0, nil
	}
	merged := 0
	from := []byte(edgePrefix)
	for from != nil {
		groups, next, err := s.rollupGroups(ctx, from, now)
		if err != nil {
			return merged, fmt.Errorf("roll up old buckets: %w", err)
		}
		n, err := s.rollupChunk(groups)
		merged += n
		if err != nil {
			return merged, fmt.Errorf("roll up old buckets: %w", err)
		}
		from = next
	}
	return merged, nil
}

// rollupGroups lists, from the row key from on, the groups whose rows need
// merging, up to about rollupChunk rows; next is where the following chunk
// starts (nil: no more rows).
func (s *Store) rollupGroups(ctx context.Context, from []byte, now time.Time) (groups []group, next []byte, err error) {
	rows := 0
	prefix := []byte(edgePrefix)
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		var cur group
		moves := false
		for it.Seek(from); it.ValidForPrefix(prefix); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			w, rs, err := splitRowKey(it.Item().Key(), s.bucket)
			if err != nil {
				return err
			}
			tg := s.target(rs, now)
			if w != cur.w || tg != cur.target {
				if moves {
					groups, rows = append(groups, cur), rows+len(cur.keys)
				}
				if rows >= rollupChunk {
					next = it.Item().KeyCopy(nil)
					return nil
				}
				cur, moves = group{w: w, target: tg}, false
			}
			cur.keys = append(cur.keys, it.Item().KeyCopy(nil))
			moves = moves || rs != tg
		}
		if moves {
			groups = append(groups, cur)
		}
		return nil
	})
	return groups, next, err
}

// rollupChunk merges groups in one transaction and returns how many rows
// fewer there are.
func (s *Store) rollupChunk(groups []group) (int, error) {
	if len(groups) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	merged := 0
	err := s.db.Update(func(txn *badger.Txn) error {
		merged = 0
		spans := map[string]span{}
		for _, g := range groups {
			n, err := s.rollupGroup(txn, g, spans)
			if err != nil {
				return err
			}
			merged += n
		}
		for k, sp := range spans {
			if _, err := mergeSpan(txn, []byte(k), sp); err != nil {
				return err
			}
		}
		return nil
	})
	return merged, err
}

// rollupGroup writes g's rolled-up row, deletes the rows merged into it and
// adds its workload peers to spans; it returns how many rows fewer there
// are. The rows are read again in txn: a batch may have changed them since
// they were listed. The rolled-up row is read even when g does not list
// it: a row of another length (an earlier configuration's) may sort among
// the rows of one target and part them into groups that each merge into
// it, in this transaction or an earlier one.
func (s *Store) rollupGroup(txn *badger.Txn, g group, spans map[string]span) (int, error) {
	r, tk := row{}, appendSpan(workloadPrefix(g.w), g.target.start, g.target.length, s.bucket)
	keys := g.keys
	if !slices.ContainsFunc(keys, func(k []byte) bool { return bytes.Equal(k, tk) }) {
		keys = append(keys[:len(keys):len(keys)], tk)
	}
	var gone [][]byte
	found := 0
	for _, k := range keys {
		item, err := txn.Get(k)
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue // expired meanwhile, or no rolled-up row yet
		}
		if err != nil {
			return 0, fmt.Errorf("read baseline row: %w", err)
		}
		if err := item.Value(r.decode); err != nil {
			return 0, fmt.Errorf("read baseline row %q: %w", k, err)
		}
		found++
		if !bytes.Equal(k, tk) {
			gone = append(gone, k)
		}
	}
	if len(r) == 0 {
		return 0, nil
	}
	v := r.encode()
	if err := txn.Set(tk, v); err != nil {
		return 0, err
	}
	for _, k := range gone {
		if err := txn.Delete(k); err != nil {
			return 0, err
		}
	}
	return found - 1, indexRow(spans, g.w, indexSpan(g.target, s.bucket), v)
}
