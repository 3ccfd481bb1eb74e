package outbox

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerlog"
)

var _ store.Outbox = (*Outbox)(nil)

// Options configure an Outbox.
type Options struct {
	// Node is the node name, the readable part of the outbox's ID.
	Node string
	// MaxRecords bounds the unacknowledged records kept (default 1,000,000).
	MaxRecords int
	// History is how long acknowledged batches are kept for local
	// inspection (default 1 hour; negative disables the history).
	History time.Duration
	// Quarantine is how long batches that can never be sent are kept for
	// inspection (default 7 days).
	Quarantine time.Duration
	// SyncWrites fsyncs each append: batches then survive a machine crash,
	// not only a process crash.
	SyncWrites bool
	Logger     *slog.Logger
}

// Outbox implements store.Outbox on Badger. It is safe for concurrent use.
type Outbox struct {
	db            *badger.DB
	id            string
	max           int
	history       time.Duration
	quarantineFor time.Duration
	logger        *slog.Logger

	mu          sync.Mutex
	lastSeq     uint64 // last sequence number assigned
	pending     int    // records not acknowledged
	quarantined int    // batches quarantined
}

// Open opens (or creates) the outbox in dir.
func Open(dir string, o Options) (*Outbox, error) {
	if o.Node == "" {
		return nil, errors.New("open outbox: a node name is required")
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = 1_000_000
	}
	if o.History == 0 {
		o.History = time.Hour
	}
	// The outbox runs on every node: keep Badger's memory small (its
	// defaults take ~600 MiB of memtables and caches). Batches above 64 KiB
	// go to the value log, so that a transaction stays far below the
	// memtable's limit.
	db, err := badger.Open(badger.DefaultOptions(dir).
		WithSyncWrites(o.SyncWrites).
		WithLogger(badgerlog.New(o.Logger)).
		WithNumVersionsToKeep(1).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(8 << 20).
		WithValueThreshold(64 << 10).
		WithValueLogFileSize(64 << 20))
	if err != nil {
		return nil, fmt.Errorf("open outbox %q: %w", dir, err)
	}
	if o.Quarantine <= 0 {
		o.Quarantine = defaultQuarantine
	}
	ob := &Outbox{db: db, max: o.MaxRecords, history: o.History, quarantineFor: o.Quarantine, logger: o.Logger}
	if err := ob.load(o.Node); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open outbox %q: %w", dir, err)
	}
	return ob, nil
}

// Close closes the outbox.
func (o *Outbox) Close() error {
	if err := o.db.Close(); err != nil {
		return fmt.Errorf("close outbox: %w", err)
	}
	return nil
}

// ID implements store.Outbox.
func (o *Outbox) ID() string { return o.id }

// load reads (or creates) the ID, the last sequence number and the number
// of pending records.
func (o *Outbox) load(node string) error {
	return o.db.Update(func(txn *badger.Txn) error {
		id, err := getString(txn, idKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			id = node + "/" + randomSuffix()
			err = txn.Set([]byte(idKey), []byte(id))
		}
		if err != nil {
			return fmt.Errorf("read outbox ID: %w", err)
		}
		o.id = id
		if o.lastSeq, err = getUint64(txn, seqKey); err != nil {
			return fmt.Errorf("read last sequence: %w", err)
		}
		var bad []uint64
		if o.pending, bad, err = countPending(txn); err != nil {
			return err
		}
		for _, seq := range bad {
			item, err := txn.Get(batchKey(pendingPrefix, seq))
			if err != nil {
				return err
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := o.quarantine(txn, seq, v, "unreadable in the outbox: no record count"); err != nil {
				return err
			}
		}
		o.quarantined, err = countBatches(txn, quarantinePrefix)
		return err
	})
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
