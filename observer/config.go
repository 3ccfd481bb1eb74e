package observer

import (
	"errors"
	"fmt"
	"log/slog"
)

// Config configures Open. The zero value is usable: it finds the cgroup v2
// mount and keeps the BPF program's default map size.
type Config struct {
	// CgroupPath is the cgroup v2 directory the UDP programs attach to; all
	// sockets in it and below are seen. Empty means the hierarchy's root,
	// found in /proc/self/mountinfo.
	CgroupPath string
	// MaxFlows is the size of the kernel's flow table (an LRU hash): how
	// many distinct flows it holds between two drains before evicting the
	// least recently used. Zero keeps the default of 65536.
	MaxFlows uint32
	// NotifyNewFlows makes the kernel announce each flow the moment it
	// enters the table, for NewFlows; counts still come through Drain.
	NotifyNewFlows bool
	// Logger receives start-up and shutdown messages; nil discards them.
	Logger *slog.Logger
	// oldKernel loads the programs as on a 5.10 kernel: none of the newer
	// helpers in cgroup_skb programs, no bpf_rdonly_cast (tests only).
	oldKernel bool
	// noUDPCache turns the per-socket UDP cache off, as on kernels before
	// 5.12 (tests and benchmarks only).
	noUDPCache bool
	// udpCacheAfter, when not zero, replaces the datagrams in a row that
	// admit a socket to the UDP cache (tests only).
	udpCacheAfter uint32
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.MaxFlows != 0 && c.MaxFlows < 1024 {
		return fmt.Errorf("max flows %d: want 0 (default) or at least 1024", c.MaxFlows)
	}
	return nil
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// ErrUnsupported is wrapped by Open's errors when the kernel lacks something
// the observer needs (BTF, a program or map type); the message says what.
var ErrUnsupported = errors.New("kernel not supported")

// ErrPermission is wrapped by Open's errors when the process lacks the
// privileges to load BPF programs.
var ErrPermission = errors.New("not permitted")
