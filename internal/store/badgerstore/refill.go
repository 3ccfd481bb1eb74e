package badgerstore

import (
	"context"
	"fmt"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// refillAll computes again, from the rows kept, the merged rows of the
// cached workloads that lost some of keys (row keys just deleted). Until
// an entry is replaced, readers see the workload as it was before the
// deletion, never a mix.
func (s *Store) refillAll(ctx context.Context, keys [][]byte) error {
	seen := map[flow.WorkloadRef]bool{}
	for _, k := range keys {
		w, _, err := splitRowKey(k, s.bucket)
		if err != nil || seen[w] {
			continue // a peer index key, or a workload already done
		}
		seen[w] = true
		if !s.whole.has(w) {
			continue
		}
		if err := s.refill(ctx, w); err != nil {
			return fmt.Errorf("merge the rows kept of %s: %w", w, err)
		}
	}
	return nil
}

// refill replaces w's merged rows while holding Store.mu, so no batch
// lands between the read and the entry it replaces.
func (s *Store) refill(ctx context.Context, w flow.WorkloadRef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.readWhole(ctx, w)
	if err != nil {
		return err
	}
	if len(e.edges) == 0 {
		s.whole.drop(w)
		return nil
	}
	s.whole.put(w, e)
	return nil
}
