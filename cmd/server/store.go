package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
)

// StoreConfig tunes the baseline store: how old buckets are rolled up and
// how much memory Badger may keep.
type StoreConfig struct {
	Rollups rollups
	// Sizes in MiB (see badgerstore.Memory).
	MemTableMiB, BlockCacheMiB, IndexCacheMiB, ValueLogFileMiB int64
	MemTables                                                  int
}

func defaultStore() StoreConfig {
	m := badgerstore.DefaultMemory
	return StoreConfig{Rollups: rollups(badgerstore.DefaultRollups), MemTableMiB: m.MemTableSize >> 20, MemTables: m.MemTables,
		BlockCacheMiB: m.BlockCacheSize >> 20, IndexCacheMiB: m.IndexCacheSize >> 20, ValueLogFileMiB: m.ValueLogFileSize >> 20}
}

// AddFlags registers the store's flags, with c's values as defaults.
func (c *StoreConfig) AddFlags(fs *pflag.FlagSet) {
	fs.Var(&c.Rollups, "rollup", "merge buckets older than AGE into coarser ones of SIZE, as AGE:SIZE pairs, each coarser and older than the one before "+
		"(24h:1h,168h:24h keeps --bucket for a day, hours for a week, days past it; none keeps every bucket); "+
		"a window that starts inside a rolled-up hour or day reads all of it and says so in the window it returns; a rolled-up row expires once all of it is past --retention")
	fs.Int64Var(&c.MemTableMiB, "store-memtable-mib", c.MemTableMiB, "size of each of Badger's memtables (a batch may take 15% of one)")
	fs.IntVar(&c.MemTables, "store-memtables", c.MemTables, "Badger memtables in memory at once (the one written and those being flushed)")
	fs.Int64Var(&c.BlockCacheMiB, "store-block-cache-mib", c.BlockCacheMiB, "Badger's cache of decompressed table blocks")
	fs.Int64Var(&c.IndexCacheMiB, "store-index-cache-mib", c.IndexCacheMiB, "Badger's cache of table indexes and Bloom filters (they no longer all stay in memory)")
	fs.Int64Var(&c.ValueLogFileMiB, "store-value-log-file-mib", c.ValueLogFileMiB, "size of Badger's value-log files, the unit in which their space is reclaimed")
}

// Validate checks the store flags against the bucket size.
func (c StoreConfig) Validate(bucket time.Duration) error {
	var errs []error
	if err := badgerstore.ValidateRollups(bucket, c.Rollups); err != nil {
		errs = append(errs, fmt.Errorf("--rollup: %w", err))
	}
	if c.MemTableMiB <= 0 || c.MemTables <= 0 || c.BlockCacheMiB <= 0 || c.IndexCacheMiB <= 0 || c.ValueLogFileMiB <= 0 {
		errs = append(errs, errors.New("--store-memtable-mib, --store-memtables, --store-block-cache-mib, --store-index-cache-mib and --store-value-log-file-mib must be positive"))
	} else if err := c.memory().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("store memory flags: %w", err))
	}
	return errors.Join(errs...)
}

func (c StoreConfig) memory() badgerstore.Memory {
	return badgerstore.Memory{MemTableSize: c.MemTableMiB << 20, MemTables: c.MemTables, BlockCacheSize: c.BlockCacheMiB << 20,
		IndexCacheSize: c.IndexCacheMiB << 20, ValueLogFileSize: c.ValueLogFileMiB << 20}
}

// rollups is the --rollup flag's value.
type rollups []badgerstore.Rollup

func (r *rollups) String() string { return badgerstore.FormatRollups(*r) }
func (r *rollups) Type() string   { return "AGE:SIZE,..." }
func (r *rollups) Set(s string) error {
	rs, err := badgerstore.ParseRollups(s)
	if err == nil {
		*r = rs
	}
	return err
}
