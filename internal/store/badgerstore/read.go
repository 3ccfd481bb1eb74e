package badgerstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Baseline implements store.Reader.
func (s *Store) Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error) {
	b, err := s.baseline(ctx, w, win, nil)
	if err == nil && len(b.Flows) == 0 {
		err = fmt.Errorf("baseline of %s: %w", w, store.ErrNotFound)
	}
	return b, err
}

// BaselineView is Baseline for a reader that never modifies what it gets:
// over the zero window the flows are the store's merged copy itself, not
// a copy of it (the webhook reads the baselines of every workload a
// review touches: copying them was a fifth of its garbage). Nothing
// changes them in place: a later batch replaces them.
func (s *Store) BaselineView(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error) {
	b, err := s.baseline(ctx, w, win, sharedFlows)
	if err == nil && len(b.Flows) == 0 {
		err = fmt.Errorf("baseline of %s: %w", w, store.ErrNotFound)
	}
	return b, err
}

// baseline is Baseline with only the flows t chooses (all when nil);
// without any, it returns none and no error.
func (s *Store) baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window, t *toPeers) (flow.Baseline, error) {
	if win == (flow.Window{}) {
		flows, err := s.wholeBaseline(ctx, w, t)
		if err != nil {
			return flow.Baseline{}, fmt.Errorf("read baseline of %s: %w", w, err)
		}
		return flow.Baseline{Workload: w, Flows: flows}, nil
	}
	bls, err := s.scan(ctx, workloadPrefix(w), win)
	if err != nil {
		return flow.Baseline{}, fmt.Errorf("read baseline of %s: %w", w, err)
	}
	if len(bls) == 0 {
		return flow.Baseline{Workload: w}, nil
	}
	b := bls[0]
	if t != nil {
		b.Flows = slices.DeleteFunc(b.Flows, func(f flow.Flow) bool { return !t.keep(&f) })
	}
	return b, nil
}

// Namespace implements store.Reader.
func (s *Store) Namespace(ctx context.Context, ns string, win flow.Window) ([]flow.Baseline, error) {
	scan := func() ([]flow.Baseline, error) { return s.scan(ctx, namespacePrefix(ns), win) }
	if win == (flow.Window{}) {
		scan = func() ([]flow.Baseline, error) { return s.wholeNamespace(ctx, ns) }
	}
	bls, err := scan()
	if err != nil {
		return nil, fmt.Errorf("read baselines of namespace %q: %w", ns, err)
	}
	return bls, nil
}

// scan reads every edge under prefix whose row overlaps win and returns
// one baseline per workload, in key order (namespace, kind, name). Each
// baseline's Window is the time its rows cover: win widened to the rows at
// its ends (a bucket, or a rolled-up hour or day, holding win's start).
func (s *Store) scan(ctx context.Context, prefix []byte, win flow.Window) ([]flow.Baseline, error) {
	sc := s.scratch.Get().(*scratch)
	defer func() { sc.release(); s.scratch.Put(sc) }()
	c := collector{win: win, out: []flow.Baseline{}, scratch: sc}
	err := s.db.View(func(txn *badger.Txn) error {
		// Values are read in place in add: prefetching would start a
		// goroutine and copy the value for every row.
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); {
			if err := ctx.Err(); err != nil {
				return err
			}
			w, rs, err := splitRowKey(it.Item().Key(), s.bucket)
			if err != nil {
				return err
			}
			if in, seek := s.inWindow(w, rs, win); !in {
				if seek != nil {
					it.Seek(seek) // always forward: rows are sorted by workload, then start
				} else {
					it.Next()
				}
				continue
			}
			if err := c.add(it.Item(), w, rs); err != nil {
				return err
			}
			it.Next()
		}
		return c.flush()
	})
	return c.out, err
}

// inWindow reports whether the row of w covering rs overlaps win and, when
// not, where to seek: the next key that can, or nil for the next key.
func (s *Store) inWindow(w flow.WorkloadRef, rs rowSpan, win flow.Window) (bool, []byte) {
	if !win.To.IsZero() && !rs.start.Before(win.To) {
		return false, pastWorkload(w)
	}
	if win.From.IsZero() || rs.end().After(win.From) {
		return true, nil
	}
	// A row holding From starts at From truncated to its length: seek to
	// the first such start after this row, unless a longer row may start
	// where this one does (it sorts right after it).
	var next time.Time
	for _, l := range s.lengths {
		c := win.From.Truncate(l)
		if c.Equal(rs.start) && l > rs.length {
			return false, nil
		}
		if c.After(rs.start) && (next.IsZero() || c.Before(next)) {
			next = c
		}
	}
	if next.IsZero() {
		return false, nil
	}
	return false, appendBucket(workloadPrefix(w), next)
}

// pastWorkload is the first key after every row of w.
func pastWorkload(w flow.WorkloadRef) []byte {
	next := workloadPrefix(w)
	next[len(next)-1]++
	return next
}
