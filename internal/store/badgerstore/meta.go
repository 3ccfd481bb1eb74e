package badgerstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// SchemaVersion is the layout of keys and values this code reads and
// writes. Bump it with any change an older binary would misread.
const SchemaVersion = 1

// Metadata keys, written when the store is created:
//
//	m/schema → SchemaVersion (8 bytes BE)
//	m/bucket → bucket size in seconds (8 bytes BE)
const (
	schemaKey = "m/schema"
	bucketKey = "m/bucket"
)

// ErrIncompatible is returned by Open for a directory written with another
// schema or bucket size: reading it would silently misplace every flow.
var ErrIncompatible = errors.New("baseline store is incompatible")

// checkMeta records the schema version and bucket size in a new store and
// refuses an existing one that disagrees. A store made before the metadata
// existed (rows but no m/ keys) is schema 1; its bucket size was never
// recorded, so the configured one is taken as the truth and recorded.
func checkMeta(db *badger.DB, bucket time.Duration) error {
	return db.Update(func(txn *badger.Txn) error {
		schema, ok, err := getMeta(txn, schemaKey)
		if err != nil {
			return err
		}
		if ok && schema != SchemaVersion {
			return fmt.Errorf("%w: it has schema version %d and this server reads version %d: "+
				"run the server version that wrote it, or start with an empty --data-dir (the baselines are then learnt again)",
				ErrIncompatible, schema, SchemaVersion)
		}
		secs, ok, err := getMeta(txn, bucketKey)
		if err != nil {
			return err
		}
		want := uint64(bucket / time.Second)
		if ok && secs != want {
			return fmt.Errorf("%w: it was created with --bucket=%s and is opened with --bucket=%s: "+
				"start with --bucket=%s, or with an empty --data-dir to use the new bucket size (the baselines are then learnt again)",
				ErrIncompatible, time.Duration(secs)*time.Second, bucket, time.Duration(secs)*time.Second)
		}
		if err := txn.Set([]byte(schemaKey), binary.BigEndian.AppendUint64(nil, SchemaVersion)); err != nil {
			return err
		}
		return txn.Set([]byte(bucketKey), binary.BigEndian.AppendUint64(nil, want))
	})
}

func getMeta(txn *badger.Txn, k string) (uint64, bool, error) {
	item, err := txn.Get([]byte(k))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read %s: %w", k, err)
	}
	var v uint64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("%s is %d bytes, want 8", k, len(b))
		}
		v = binary.BigEndian.Uint64(b)
		return nil
	})
	return v, true, err
}
