package badgerstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// Referencing returns the baselines over win of the workloads with a flow
// to one of peers in win, sorted by workload; the peers' own baselines are
// left out (the caller reads them anyway). It reads the by-peer index and
// then only those baselines, instead of every baseline.
func (s *Store) Referencing(ctx context.Context, peers []flow.WorkloadRef, win flow.Window) ([]flow.Baseline, error) {
	return s.referencing(ctx, peers, win, nil)
}

// Inbound returns what a check needs of the baselines besides the touched
// workloads' own: of every other workload, its flows over win whose peer is
// one of peers, as partial baselines sorted by workload (what
// policy.PeerIndex.Inbound picks from whole baselines). Only those flows
// are copied: a review used to copy and index whole baselines of every
// workload calling a touched one, most of the webhook's time (issue 17).
func (s *Store) Inbound(ctx context.Context, peers []flow.WorkloadRef, win flow.Window) ([]flow.Baseline, error) {
	return s.referencing(ctx, peers, win, newToPeers(peers))
}

// referencing reads the baselines of the workloads the index lists for
// peers, with the flows t chooses (all when nil).
func (s *Store) referencing(ctx context.Context, peers []flow.WorkloadRef, win flow.Window, t *toPeers) ([]flow.Baseline, error) {
	sources, err := s.sources(ctx, peers, win)
	if err != nil {
		return nil, fmt.Errorf("read the peer index: %w", err)
	}
	out := make([]flow.Baseline, 0, len(sources))
	for _, w := range sources {
		b, err := s.baseline(ctx, w, win, t)
		if err != nil {
			return nil, err
		}
		if len(b.Flows) > 0 { // none: its flows in win expired since the index was read
			out = append(out, b)
		}
	}
	return out, nil
}

// sources lists, sorted, the workloads other than peers whose index entry
// for one of peers overlaps win.
func (s *Store) sources(ctx context.Context, peers []flow.WorkloadRef, win flow.Window) ([]flow.WorkloadRef, error) {
	isPeer := make(map[flow.WorkloadRef]bool, len(peers))
	for _, p := range peers {
		isPeer[p] = true
	}
	seen := map[flow.WorkloadRef]bool{}
	var out []flow.WorkloadRef
	err := s.db.View(func(txn *badger.Txn) error {
		// One iterator for every peer (each costs a merge of the memtables
		// and levels to set up); keys only when any span is in win.
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(peerPrefix), PrefetchValues: false})
		defer it.Close()
		for _, p := range peers {
			prefix := peerPrefixOf(p)
			for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
				w, in, err := s.indexed(it.Item(), win)
				if err != nil || ctx.Err() != nil {
					return cmp.Or(err, ctx.Err())
				}
				if in && !isPeer[w] && !seen[w] {
					seen[w] = true
					out = append(out, w)
				}
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b flow.WorkloadRef) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	return out, err
}

// indexed decodes an index entry and reports whether its span overlaps win.
func (s *Store) indexed(item *badger.Item, win flow.Window) (flow.WorkloadRef, bool, error) {
	w, err := splitPeerKey(item.Key())
	if err != nil || win == (flow.Window{}) {
		return w, err == nil, err
	}
	var sp span
	if err := item.Value(func(v []byte) (err error) { sp, err = decodeSpan(v); return err }); err != nil {
		return w, false, fmt.Errorf("peer index entry %q: %w", item.Key(), err)
	}
	// Compared as times: a window's ends may fall inside a second.
	after := win.From.IsZero() || time.Unix(int64(sp.last), 0).Add(s.bucket).After(win.From)
	before := win.To.IsZero() || time.Unix(int64(sp.first), 0).Before(win.To)
	return w, after && before, nil
}
