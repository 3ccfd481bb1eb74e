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
	bls, err := s.scan(ctx, namespacePrefix(ns), win)
	if err != nil {
		return nil, fmt.Errorf("read baselines of namespace %q: %w", ns, err)
	}
	return bls, nil
}

// scan reads every edge under prefix whose bucket overlaps win and returns
// one baseline per workload, in key order (namespace, kind, name).
func (s *Store) scan(ctx context.Context, prefix []byte, win flow.Window) ([]flow.Baseline, error) {
	c := collector{win: win, out: []flow.Baseline{}}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
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
		c.flush()
		return nil
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
		next := workloadPrefix(w)
		next[len(next)-1]++ // past every row of w
		return next
	}
	return nil
}

// collector groups edges, which arrive sorted by workload, into baselines.
type collector struct {
	win   flow.Window
	out   []flow.Baseline
	flows []flow.Flow
}

func (c *collector) add(item *badger.Item, w flow.WorkloadRef) error {
	r := row{}
	if err := item.Value(r.decode); err != nil {
		return fmt.Errorf("read baseline row %q: %w", item.Key(), err)
	}
	if len(c.out) == 0 || c.out[len(c.out)-1].Workload != w {
		c.flush()
		c.out = append(c.out, flow.Baseline{Workload: w, Window: c.win})
	}
	for edge, cs := range r {
		k, err := decodeEdge(w, []byte(edge))
		if err != nil {
			return fmt.Errorf("decode edge of %q: %w", item.Key(), err)
		}
		c.flows = append(c.flows, cs.flow(k))
	}
	return nil
}

func (c *collector) flush() {
	if len(c.flows) > 0 {
		c.out[len(c.out)-1].Flows = flow.Aggregate(c.flows)
		c.flows = nil
	}
}
