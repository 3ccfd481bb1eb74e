package badgerstore

import (
	"encoding/binary"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// migrateChunk bounds the rows moved in one transaction.
const migrateChunk = 256

// migrateV1 moves every schema-1 row (under b/, 32-byte counters) to r/
// with schema-2 counters (the failure kinds, unknown then, are 0). Each
// transaction deletes the rows it rewrites, so an interrupted migration
// leaves every row once, in one format, and resumes on the next Open.
func migrateV1(db *badger.DB) error {
	for {
		n, err := migrateV1Chunk(db)
		if err != nil || n == 0 {
			return err
		}
	}
}

// migrateV1Chunk moves up to migrateChunk rows and returns how many.
func migrateV1Chunk(db *badger.DB) (int, error) {
	prefix := []byte(edgePrefixV1)
	n := 0
	err := db.Update(func(txn *badger.Txn) error {
		type kv struct{ k, v []byte }
		var rows []kv
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		for it.Seek(prefix); it.ValidForPrefix(prefix) && len(rows) < migrateChunk; it.Next() {
			k := it.Item().KeyCopy(nil)
			var v []byte
			err := it.Item().Value(func(old []byte) error {
				var err error
				v, err = rowFromV1(old)
				return err
			})
			if err != nil {
				it.Close()
				return fmt.Errorf("row %q: %w", k, err)
			}
			rows = append(rows, kv{k, v})
		}
		it.Close()
		for _, r := range rows {
			if err := txn.Set(append([]byte(edgePrefix), r.k[len(prefix):]...), r.v); err != nil {
				return err
			}
			if err := txn.Delete(r.k); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}

// rowFromV1 re-encodes a schema-1 row: each edge's counters get the three
// failure-kind counters, zero.
func rowFromV1(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b)+len(b)/2)
	for len(b) > 0 {
		n, sz := binary.Uvarint(b)
		if sz <= 0 || uint64(len(b)-sz) < n+countersLenV1 {
			return nil, fmt.Errorf("schema-1 row is truncated")
		}
		end := sz + int(n) + countersLenV1
		out = append(out, b[:end]...)
		out = append(out, make([]byte, countersLen-countersLenV1)...)
		b = b[end:]
	}
	return out, nil
}
