package badgerstore

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// Baseline implements store.Reader.
func (s *Store) Baseline(ctx context.Context, w flow.WorkloadRef, win flow.Window) (flow.Baseline, error) {
	if win == (flow.Window{}) {
		flows, err := s.wholeBaseline(ctx, w)
		if err != nil {
			return flow.Baseline{}, fmt.Errorf("read baseline of %s: %w", w, err)
		}
		if len(flows) == 0 {
			return flow.Baseline{}, fmt.Errorf("baseline of %s: %w", w, store.ErrNotFound)
		}
		return flow.Baseline{Workload: w, Flows: flows}, nil
	}
	bls, err := s.scan(ctx, workloadPrefix(w), win)
	if err != nil {
		return flow.Baseline{}, fmt.Errorf("read baseline of %s: %w", w, err)
	}
	if len(bls) == 0 {
		return flow.Baseline{}, fmt.Errorf("baseline of %s: %w", w, store.ErrNotFound)
	}
	return bls[0], nil
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

// scan reads every edge under prefix whose bucket overlaps win and returns
// one baseline per workload, in key order (namespace, kind, name).
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
			w, start, err := splitRowKey(it.Item().Key())
			if err != nil {
				return err
			}
			if skip := s.skipTo(w, start, win); skip != nil {
				it.Seek(skip) // always forward: rows are sorted by workload, then time
				continue
			}
			if err := c.add(it.Item(), w); err != nil {
				return err
			}
			it.Next()
		}
		return c.flush()
	})
	return c.out, err
}

// skipTo returns where to seek when the row of w starting at start is
// outside win: the workload's first bucket in the window, or the next
// workload. It returns nil for a row inside the window.
func (s *Store) skipTo(w flow.WorkloadRef, start time.Time, win flow.Window) []byte {
	if !win.From.IsZero() && !start.Add(s.bucket).After(win.From) {
		return appendBucket(workloadPrefix(w), win.From.Truncate(s.bucket))
	}
	if !win.To.IsZero() && !start.Before(win.To) {
		return pastWorkload(w)
	}
	return nil
}

// pastWorkload is the first key after every row of w.
func pastWorkload(w flow.WorkloadRef) []byte {
	next := workloadPrefix(w)
	next[len(next)-1]++
	return next
}
