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
			w, rs, err := splitRowKey(it.Item().Key(), bucket)
			if err != nil {
				return err
			}
			sp := indexSpan(rs, bucket)
			if err := it.Item().Value(func(v []byte) error { return indexRow(spans, w, sp, v) }); err != nil {
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

// indexSpan is the index span of a row: its first and last bucket start,
// so that [first, last+bucket) is the time the row covers.
func indexSpan(rs rowSpan, bucket time.Duration) span {
	first := uint64(max(rs.start.Truncate(bucket).Unix(), 0))
	return span{first, first + uint64((rs.length-bucket)/time.Second)}
}

// indexRow adds the workload peers of one encoded row of w, covering sp.
func indexRow(spans map[string]span, w flow.WorkloadRef, sp span, b []byte) error {
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
		if old, ok := spans[string(k)]; ok {
			spans[string(k)] = old.union(sp)
		} else {
			spans[string(k)] = sp
		}
	}
	return nil
}
