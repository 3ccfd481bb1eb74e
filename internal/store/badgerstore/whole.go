package badgerstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
)

// The webhooks, the annotator and the mismatch evaluation read baselines
// over everything kept (the zero window) by default. With 14 days of
// 10-minute buckets that is 2,016 rows per workload per read (issue 17:
// a full mismatch round took 25 s at 10k pods). wholeCache keeps each
// workload's rows merged: a read of the zero window decodes only the
// workload's distinct edges; Apply merges its rows into the entries it
// touches and Expire computes again the entries of the workloads it removed
// rows of (refill.go; counts could be subtracted, first and last seen
// cannot). A rollup changes no entry: it merges rows, not what they hold.
type wholeCache struct {
	mu      sync.RWMutex
	entries map[flow.WorkloadRef]*mergedEntry
}

// maxMerged bounds the workloads kept merged; past it, more are read from
// the rows each time.
const maxMerged = 1 << 18

type mergedEntry struct {
	edges row         // every edge of every row of the workload
	flows []flow.Flow // edges decoded and sorted; nil after a merge
	// byPeer are the positions in flows of each workload peer's flows,
	// made when a reader of flows to given peers first needs them; nil
	// with flows.
	byPeer peerPositions
}

// get returns w's merged flows that t chooses (every flow when t is
// nil), copied, and whether w is cached. Entries are never changed in
// place (a merge drops flows and byPeer, a decode makes new ones), so the
// copy is made outside the lock.
func (m *wholeCache) get(w flow.WorkloadRef, t *toPeers) ([]flow.Flow, bool, error) {
	m.mu.RLock()
	e, ok := m.entries[w]
	var flows []flow.Flow
	var byPeer peerPositions
	if ok {
		flows, byPeer = e.flows, e.byPeer
	}
	m.mu.RUnlock()
	if !ok || flows != nil && (!t.positions() || byPeer != nil) {
		return t.copy(flows, byPeer), ok, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.flows == nil {
		var err error
		if e.flows, err = decodeRow(w, e.edges); err != nil {
			return nil, true, err
		}
	}
	if t.positions() && e.byPeer == nil {
		e.byPeer = positionsOf(e.flows)
	}
	return t.copy(e.flows, e.byPeer), true, nil
}

func decodeRow(w flow.WorkloadRef, r row) ([]flow.Flow, error) {
	flows := make([]flow.Flow, 0, len(r))
	for edge, c := range r {
		k, err := decodeEdge(w, []byte(edge))
		if err != nil {
			return nil, fmt.Errorf("decode edge of %s: %w", w, err)
		}
		flows = append(flows, c.flow(k))
	}
	flow.SortFlows(flows)
	return flows, nil
}

// apply merges rows just committed (keys: row keys) into the entries of
// their workloads. The caller holds Store.mu, so no fill runs meanwhile.
func (m *wholeCache) apply(rows map[string]row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, r := range rows {
		w, _, err := splitRowKey([]byte(k), 0)
		e, ok := m.entries[w]
		if err != nil || !ok {
			continue
		}
		for edge, c := range r {
			e.edges.add(edge, c)
		}
		e.flows, e.byPeer = nil, nil
	}
}

// drop forgets w (its rows were deleted).
func (m *wholeCache) drop(w flow.WorkloadRef) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, w)
}

func (m *wholeCache) put(w flow.WorkloadRef, e *mergedEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = make(map[flow.WorkloadRef]*mergedEntry)
	}
	if _, ok := m.entries[w]; ok || len(m.entries) < maxMerged {
		m.entries[w] = e
	}
}

func (m *wholeCache) has(w flow.WorkloadRef) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.entries[w]
	return ok
}

// wholeBaseline is Baseline over the zero window, through the cache. A miss
// reads w's rows while holding Store.mu, so no batch lands between the
// read and the entry it fills.
func (s *Store) wholeBaseline(ctx context.Context, w flow.WorkloadRef, t *toPeers) ([]flow.Flow, error) {
	flows, ok, err := s.whole.get(w, t)
	if ok || err != nil {
		return flows, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if flows, ok, err := s.whole.get(w, t); ok || err != nil {
		return flows, err
	}
	e, err := s.readWhole(ctx, w)
	if err != nil {
		return nil, err
	}
	if len(e.edges) > 0 {
		s.whole.put(w, e)
	}
	return t.copy(e.flows, nil), nil
}

// readWhole merges every row of w. The caller holds Store.mu.
func (s *Store) readWhole(ctx context.Context, w flow.WorkloadRef) (*mergedEntry, error) {
	e := &mergedEntry{edges: row{}}
	prefix := workloadPrefix(w)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := it.Item().Value(e.edges.decode); err != nil {
				return fmt.Errorf("read baseline row %q: %w", it.Item().Key(), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if e.flows, err = decodeRow(w, e.edges); err != nil {
		return nil, err
	}
	return e, nil
}

// wholeNamespace is Namespace over the zero window: the workloads under
// the prefix (one seek each), each through wholeBaseline.
func (s *Store) wholeNamespace(ctx context.Context, ns string) ([]flow.Baseline, error) {
	var refs []flow.WorkloadRef
	prefix := namespacePrefix(ns)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); {
			w, _, err := splitRowKey(it.Item().Key(), s.bucket)
			if err != nil {
				return err
			}
			refs = append(refs, w)
			it.Seek(pastWorkload(w))
		}
		return nil
	})
	out := []flow.Baseline{}
	for _, w := range refs {
		if err != nil {
			break
		}
		var flows []flow.Flow
		if flows, err = s.wholeBaseline(ctx, w, nil); err == nil && len(flows) > 0 {
			out = append(out, flow.Baseline{Workload: w, Flows: flows})
		}
	}
	return out, err
}

var _ store.Reader = (*Store)(nil)
