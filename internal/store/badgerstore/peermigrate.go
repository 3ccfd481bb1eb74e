package badgerstore

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// buildPeerIndex writes the by-peer index of every row a schema-2 store
// holds (schema 3 added it). It computes every entry from the rows and
// overwrites it, so an interrupted build is simply run again by the next
// Open: the schema is recorded only after it returns.
func buildPeerIndex(db *badger.DB, bucket time.Duration) error {
	spans := map[string]span{}
	prefix := []byte(edgePrefix)
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			w, start, err := splitRowKey(it.Item().Key())
			if err != nil {
				return err
			}
			at := uint64(max(start.Truncate(bucket).Unix(), 0))
			if err := it.Item().Value(func(v []byte) error { return indexRow(spans, w, at, v) }); err != nil {
				return fmt.Errorf("row %q: %w", it.Item().Key(), err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	wb := db.NewWriteBatch()
	defer wb.Cancel()
	for k, sp := range spans {
		if err := wb.Set([]byte(k), sp.encode()); err != nil {
			return fmt.Errorf("write peer index: %w", err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("write peer index: %w", err)
	}
	return nil
}

// indexRow adds the workload peers of one encoded row of w, bucket at.
func indexRow(spans map[string]span, w flow.WorkloadRef, at uint64, b []byte) error {
	var k []byte
	for len(b) > 0 {
		n, sz := binary.Uvarint(b)
		if sz <= 0 || uint64(len(b)-sz) < n+countersLen {
			return fmt.Errorf("row is truncated")
		}
		key, err := decodeEdge(w, b[sz:sz+int(n)])
		if err != nil {
			return err
		}
		b = b[sz+int(n)+countersLen:]
		if key.Peer.Kind != flow.PeerWorkload || key.Peer.Workload.IsZero() {
			continue
		}
		k = peerKeyTo(k[:0], key.Peer.Workload, w)
		sp := span{at, at}
		if old, ok := spans[string(k)]; ok {
			sp = old.union(sp)
		}
		spans[string(k)] = sp
	}
	return nil
}
