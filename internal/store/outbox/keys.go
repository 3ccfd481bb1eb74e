package outbox

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Key layout:
//
//	id            → the outbox ID
//	seq           → last sequence number assigned
//	q/<seq: 8 BE> → pending batch: [uvarint record count][JSON records]
//	h/<seq: 8 BE> → acknowledged batch, same encoding, with a TTL
//	x/<seq: 8 BE> → quarantined batch: [uvarint reason length][reason][pending value], with a TTL
const (
	idKey            = "id"
	seqKey           = "seq"
	pendingPrefix    = "q/"
	historyPrefix    = "h/"
	quarantinePrefix = "x/"
)

func batchKey(prefix string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefix), seq)
}

func seqOf(k []byte) uint64 { return binary.BigEndian.Uint64(k[len(k)-8:]) }

func getString(txn *badger.Txn, k string) (string, error) {
	item, err := txn.Get([]byte(k))
	if err != nil {
		return "", err
	}
	v, err := item.ValueCopy(nil)
	return string(v), err
}

func getUint64(txn *badger.Txn, k string) (uint64, error) {
	item, err := txn.Get([]byte(k))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	v, err := item.ValueCopy(nil)
	if err == nil && len(v) != 8 {
		err = fmt.Errorf("%s is %d bytes, want 8", k, len(v))
	}
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(v), nil
}

// countPending adds up the record counts of the pending batches and
// returns the batches without a readable count, to quarantine.
func countPending(txn *badger.Txn) (int, []uint64, error) {
	n := 0
	var bad []uint64
	err := eachBatch(txn, pendingPrefix, func(seq uint64, v []byte) (bool, error) {
		c, sz := binary.Uvarint(v)
		if sz <= 0 {
			bad = append(bad, seq)
			return true, nil
		}
		n += int(c)
		return true, nil
	})
	return n, bad, err
}

// countBatches counts the batches under prefix.
func countBatches(txn *badger.Txn, prefix string) (int, error) {
	n := 0
	err := eachBatch(txn, prefix, func(uint64, []byte) (bool, error) { n++; return true, nil })
	return n, err
}

// eachBatch calls fn on the batches under prefix in sequence order until fn
// returns false or an error.
func eachBatch(txn *badger.Txn, prefix string, fn func(seq uint64, v []byte) (bool, error)) error {
	p := []byte(prefix)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true, PrefetchSize: 16})
	defer it.Close()
	for it.Seek(p); it.ValidForPrefix(p); it.Next() {
		var more bool
		err := it.Item().Value(func(v []byte) error {
			var err error
			more, err = fn(seqOf(it.Item().Key()), v)
			return err
		})
		if err != nil || !more {
			return err
		}
	}
	return nil
}
