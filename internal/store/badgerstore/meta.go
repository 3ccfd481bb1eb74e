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
//
//	1: rows under b/, counters count, failed, first, last
//	2: rows under r/, counters also refused, timedOut, unreachable
//	   (Open migrates a schema-1 store; see migrate.go)
//	3: the by-peer index under p/ (peerindex.go; Open builds it for a
//	   schema-1 or -2 store, see peermigrate.go)
//	4: rolled-up rows, whose key also holds their length (keys.go,
//	   rollup.go); a schema-3 store is a valid schema-4 one, rolled up by
//	   the first Rollup, but a schema-3 binary would refuse their keys
const SchemaVersion = 4

// Metadata keys, written when the store is created:
//
//	m/schema → SchemaVersion (8 bytes BE)
//	m/bucket → bucket size in seconds (8 bytes BE)
//	m/longest → the longest row length any configuration opened with (seconds, 8 bytes BE)
//	m/lengths → every row length any configuration opened with (lengths.go)
const (
	schemaKey  = "m/schema"
	bucketKey  = "m/bucket"
	longestKey = "m/longest"
)

// ErrIncompatible is returned by Open for a directory written with another
// schema or bucket size: reading it would silently misplace every flow.
var ErrIncompatible = errors.New("baseline store is incompatible")

// checkMeta records the schema version and bucket size in a new store,
// migrates a schema-1 store and refuses an existing one that disagrees
// otherwise. A store made before the metadata existed (rows but no m/
// keys) is schema 1; its bucket size was never recorded, so the configured
// one is taken as the truth and recorded.
func checkMeta(db *badger.DB, bucket time.Duration) error {
	var schema, secs uint64
	var hasSchema, hasBucket bool
	err := db.View(func(txn *badger.Txn) error {
		var err error
		if schema, hasSchema, err = getMeta(txn, schemaKey); err != nil {
			return err
		}
		secs, hasBucket, err = getMeta(txn, bucketKey)
		return err
	})
	if err != nil {
		return err
	}
	if hasSchema && (schema < 1 || schema > SchemaVersion) {
		return fmt.Errorf("%w: it has schema version %d and this server reads version %d: "+
			"run the server version that wrote it, or start with an empty --data-dir (the baselines are then learnt again)",
			ErrIncompatible, schema, SchemaVersion)
	}
	want := uint64(bucket / time.Second)
	if hasBucket && secs != want {
		return fmt.Errorf("%w: it was created with --bucket=%s and is opened with --bucket=%s: "+
			"start with --bucket=%s, or with an empty --data-dir to use the new bucket size (the baselines are then learnt again)",
			ErrIncompatible, time.Duration(secs)*time.Second, bucket, time.Duration(secs)*time.Second)
	}
	if err := migrate(db, schema, hasSchema, bucket); err != nil {
		return err
	}
	return db.Update(func(txn *badger.Txn) error {
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

// migrate brings a store of an older schema (or none recorded) to
// SchemaVersion. Each step can be run again after an interruption: the
// schema is recorded only once all of them are done.
func migrate(db *badger.DB, schema uint64, hasSchema bool, bucket time.Duration) error {
	if !hasSchema || schema == 1 {
		// An interrupted migration leaves schema 1 and the rows not yet
		// moved under b/: running it again finishes it.
		if err := migrateV1(db); err != nil {
			return fmt.Errorf("migrate the store from schema version 1 to %d: %w", SchemaVersion, err)
		}
	}
	if !hasSchema || schema < 3 {
		if err := buildPeerIndex(db, bucket); err != nil {
			return fmt.Errorf("build the peer index (schema version %d to %d): %w", schema, SchemaVersion, err)
		}
	}
	return nil
}

// recordLongest records the longest row length configured so far and
// returns it: reads seek back by it to find a row holding a window's start,
// so it never shrinks when the rollups are made finer.
func recordLongest(db *badger.DB, configured time.Duration) (time.Duration, error) {
	longest := configured
	err := db.Update(func(txn *badger.Txn) error {
		secs, ok, err := getMeta(txn, longestKey)
		if err != nil {
			return err
		}
		if ok && time.Duration(secs)*time.Second >= longest {
			longest = time.Duration(secs) * time.Second
			return nil
		}
		return txn.Set([]byte(longestKey), binary.BigEndian.AppendUint64(nil, uint64(longest/time.Second)))
	})
	return longest, err
}
