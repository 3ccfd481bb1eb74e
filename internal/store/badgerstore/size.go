package badgerstore

import "fmt"

// Size returns the bytes the store holds on disk: its LSM tree and its
// value log, as Badger last measured them (it refreshes them every minute).
func (s *Store) Size() (lsm, vlog int64) { return s.db.Size() }

// Compact merges the LSM tree into one level, dropping what deletions and
// rewrites left behind, then reclaims the value-log files that are mostly
// garbage. Badger's own compactions get there as writes go on; Compact gets
// there at once, for a store just rolled up or migrated. Badger wants no
// writes meanwhile, and rows in the memtables (written since the store
// opened) are not compacted: open, Compact, then serve.
func (s *Store) Compact() error {
	if err := s.db.Flatten(2); err != nil {
		return fmt.Errorf("compact the baseline store: %w", err)
	}
	s.collectValueLog()
	return nil
}
