package badgerstore

// Size returns the bytes the store holds on disk: its LSM tree and its
// value log, as Badger last measured them (it refreshes them every minute).
func (s *Store) Size() (lsm, vlog int64) { return s.db.Size() }
