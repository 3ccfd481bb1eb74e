package badgerstore

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Memory bounds what Badger keeps in memory. Badger's own defaults suit a
// database that owns the machine: five 64 MiB memtables, a 256 MiB block
// cache, every table's index and Bloom filter in memory and 1 GiB value-log
// files (issue 17: 6.4 GiB RSS at 30k pods). Zero fields take the
// DefaultMemory value.
type Memory struct {
	// MemTableSize is the size of each memtable; a transaction (one
	// batch) may take 15 % of it.
	MemTableSize int64
	// MemTables is how many memtables may exist, the one being written
	// and those waiting to be flushed.
	MemTables int
	// BlockCacheSize caches decompressed table blocks.
	BlockCacheSize int64
	// IndexCacheSize caches table indexes and Bloom filters; Badger's 0
	// keeps all of them in memory, growing with the store.
	IndexCacheSize int64
	// ValueLogFileSize is the size of a value-log file, the unit of its
	// garbage collection.
	ValueLogFileSize int64
}

// DefaultMemory is what the server uses unless told otherwise: 2 × 32 MiB
// memtables (a batch of the largest size the transport accepts still fits
// a transaction, TestBatchesOfBigRowsApply), 64 MiB of block cache, 32 MiB
// of index cache and 64 MiB value-log files (garbage collection never
// rewrites the file being written: with Badger's 1 GiB a store of a few GiB
// keeps most of its garbage).
var DefaultMemory = Memory{MemTableSize: 32 << 20, MemTables: 2, BlockCacheSize: 64 << 20, IndexCacheSize: 32 << 20, ValueLogFileSize: 64 << 20}

const mib = 1 << 20

// withDefaults fills the zero fields from DefaultMemory.
func (m Memory) withDefaults() Memory {
	d := DefaultMemory
	if m.MemTableSize == 0 {
		m.MemTableSize = d.MemTableSize
	}
	if m.MemTables == 0 {
		m.MemTables = d.MemTables
	}
	if m.BlockCacheSize == 0 {
		m.BlockCacheSize = d.BlockCacheSize
	}
	if m.IndexCacheSize == 0 {
		m.IndexCacheSize = d.IndexCacheSize
	}
	if m.ValueLogFileSize == 0 {
		m.ValueLogFileSize = d.ValueLogFileSize
	}
	return m
}

// Validate says what is out of the range Badger accepts.
func (m Memory) Validate() error {
	m = m.withDefaults()
	switch {
	case m.MemTableSize < 8*mib:
		return fmt.Errorf("memtable size %d MiB: at least 8 MiB, or a large batch no longer fits a transaction", m.MemTableSize/mib)
	case m.MemTables < 1:
		return fmt.Errorf("memtables %d: at least 1", m.MemTables)
	case m.BlockCacheSize < 0 || m.IndexCacheSize < 0:
		return fmt.Errorf("cache sizes must not be negative")
	case m.ValueLogFileSize < mib || m.ValueLogFileSize >= 2<<30:
		return fmt.Errorf("value-log file size %d MiB: between 1 MiB and 2 GiB", m.ValueLogFileSize/mib)
	}
	return nil
}

// apply sets m on Badger's options. Level-0 compaction starts when as many
// tables wait as there are memtables (each flush makes one), and writes
// stall at three times that, as Badger's defaults (5 and 15) relate.
func (m Memory) apply(o badger.Options) badger.Options {
	m = m.withDefaults()
	return o.WithMemTableSize(m.MemTableSize).
		WithNumMemtables(m.MemTables).
		WithNumLevelZeroTables(max(m.MemTables, 2)).
		WithNumLevelZeroTablesStall(3 * max(m.MemTables, 2)).
		WithBlockCacheSize(m.BlockCacheSize).
		WithIndexCacheSize(m.IndexCacheSize).
		WithValueLogFileSize(m.ValueLogFileSize).
		WithNumCompactors(2)
}
