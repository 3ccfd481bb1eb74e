package badgerstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// lengthsKey holds every row length a configuration opened the store with
// (seconds, 8 bytes BE each, shortest first). The rollups may change
// between runs, and a row of a length the current configuration does not
// name (2-hour rows under 1-hour rollups) stays until a coarser rollup
// takes it: a read seeking to the rows that may hold a window's start must
// know its length too, or it seeks past it (read.go, inWindow).
const lengthsKey = "m/lengths"

// recordLengths adds configured to the row lengths recorded and returns
// them all, shortest first.
func recordLengths(db *badger.DB, configured []time.Duration) ([]time.Duration, error) {
	var all []time.Duration
	err := db.Update(func(txn *badger.Txn) error {
		recorded, err := readLengths(txn)
		if err != nil {
			return err
		}
		all = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(recorded), configured...))))
		if slices.Equal(all, recorded) {
			return nil
		}
		b := make([]byte, 0, 8*len(all))
		for _, l := range all {
			b = binary.BigEndian.AppendUint64(b, uint64(l/time.Second))
		}
		return txn.Set([]byte(lengthsKey), b)
	})
	return all, err
}

func readLengths(txn *badger.Txn) ([]time.Duration, error) {
	item, err := txn.Get([]byte(lengthsKey))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", lengthsKey, err)
	}
	var out []time.Duration
	err = item.Value(func(b []byte) error {
		if len(b)%8 != 0 {
			return fmt.Errorf("%s is %d bytes, want a multiple of 8", lengthsKey, len(b))
		}
		for ; len(b) > 0; b = b[8:] {
			out = append(out, time.Duration(binary.BigEndian.Uint64(b))*time.Second)
		}
		return nil
	})
	return out, err
}
