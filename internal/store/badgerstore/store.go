package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerlog"
)

var (
	_ store.Reader = (*Store)(nil)
	_ store.Writer = (*Store)(nil)
)

// Options configure a Store. The zero value is usable.
type Options struct {
	// Bucket is the time resolution of baselines (default 10 minutes);
	// windows are rounded out to it. It must not change for an existing
	// directory.
	Bucket time.Duration
	// SyncWrites fsyncs every applied batch before Apply returns, so an
	// acknowledged batch survives a machine crash, not only a process crash.
	SyncWrites bool
	// Logger receives Badger's warnings and errors (default: discarded).
	Logger *slog.Logger
	// InMemory keeps everything in memory (for benchmarks that measure
	// the encoding, not the disk); dir is then ignored.
	InMemory bool
	// SequenceTTL is how long an observer's last sequence number is kept
	// after its last batch (0: forever). Observers come and go with nodes
	// and outboxes; set it to the retention: a batch older than that would
	// only add flows already expired.
	SequenceTTL time.Duration
	// Rollups merge old buckets into coarser ones when Rollup runs (nil:
	// never; the server uses DefaultRollups). They may change between
	// runs: rows of any length are read and expired alike.
	Rollups []Rollup
	// Memory bounds Badger's memory (zero fields: DefaultMemory).
	Memory Memory
}

// valueThreshold is the largest row kept inline in the LSM tree.
const valueThreshold = 512

// DefaultBucket is the bucket size used when Options.Bucket is zero.
const DefaultBucket = 10 * time.Minute

// Store is the server's baseline store. It is safe for concurrent use;
// batches are applied one at a time.
type Store struct {
	db     *badger.DB
	bucket time.Duration
	seqTTL time.Duration
	// rollups are Options.Rollups; longest is the longest row any
	// configuration so far may have written (meta.go).
	rollups []Rollup
	longest time.Duration
	// lengths are the row lengths the store may hold, shortest first:
	// this configuration's and every earlier one's (lengths.go).
	lengths []time.Duration
	mu      sync.Mutex // serialises writers, so transactions never conflict
	// peers remembers the peer index entries written (under mu), so that a
	// batch repeating known pairs in known buckets neither reads nor writes
	// the index.
	peers peerCache
	// whole keeps workloads' rows merged for reads of the zero window.
	whole wholeCache
	// scratch holds *scratch: reads reuse their buffers instead of growing
	// new ones for every baseline.
	scratch sync.Pool
}

// Open opens (or creates) the baseline store in dir.
func Open(dir string, o Options) (*Store, error) {
	if o.Bucket == 0 {
		o.Bucket = DefaultBucket
	}
	if o.Bucket < time.Second || o.Bucket%time.Second != 0 {
		return nil, fmt.Errorf("bucket size %s: must be a whole number of seconds", o.Bucket)
	}
	if err := validateRollups(o.Bucket, o.Rollups); err != nil {
		return nil, err
	}
	if err := o.Memory.Validate(); err != nil {
		return nil, err
	}
	// Rows over valueThreshold live in the value log and count as a small
	// pointer in a transaction: a batch of the largest size the transport
	// accepts then always fits Badger's transaction limit (15 % of the
	// memtable), however many peers its workloads have.
	bo := o.Memory.apply(badger.DefaultOptions(dir)).
		WithValueThreshold(valueThreshold).
		WithSyncWrites(o.SyncWrites).
		WithDetectConflicts(false).
		WithLogger(badgerlog.New(o.Logger)).
		WithInMemory(o.InMemory)
	if o.InMemory {
		bo.Dir, bo.ValueDir = "", ""
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open baseline store %q: %w", dir, err)
	}
	s := &Store{db: db, bucket: o.Bucket, seqTTL: o.SequenceTTL, rollups: o.Rollups, scratch: sync.Pool{New: newScratch}}
	err = checkMeta(db, o.Bucket)
	if err == nil {
		s.longest, err = recordLongest(db, s.coarsest())
	}
	if err == nil {
		s.lengths, err = recordLengths(db, s.rowLengths())
	}
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open baseline store %q: %w", dir, err)
	}
	return s, nil
}

// Close flushes and closes the store.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close baseline store: %w", err)
	}
	return nil
}

// LastSeq implements store.Writer.
func (s *Store) LastSeq(ctx context.Context, observer string) (uint64, error) {
	var seq uint64
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		seq, err = readSeq(txn, observer)
		return err
	})
	return seq, err
}

func readSeq(txn *badger.Txn, observer string) (uint64, error) {
	item, err := txn.Get(seqKey(observer))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read sequence of observer %q: %w", observer, err)
	}
	var seq uint64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("sequence of observer %q is %d bytes", observer, len(v))
		}
		seq = beUint64(v)
		return nil
	})
	return seq, err
}
