package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/netpol-advisor/netpol-advisor/observer"
)

// Config is what every observer mode shares: how the BPF side is set up and
// how often it is drained.
type Config struct {
	// Interval is how often the kernel's flow table is drained.
	Interval time.Duration
	// MaxFlows sizes the kernel's flow table (0: the program's default).
	MaxFlows uint32
	// CgroupPath is the cgroup v2 directory to watch UDP in ("" = root).
	CgroupPath string
	Debug      bool
}

// DefaultConfig returns the defaults the flags start from.
func DefaultConfig() Config {
	return Config{Interval: 10 * time.Second}
}

// AddFlags registers the shared flags on fs.
func (c *Config) AddFlags(fs *pflag.FlagSet) {
	fs.DurationVar(&c.Interval, "interval", c.Interval, "how often to drain the kernel's flow table")
	fs.Uint32Var(&c.MaxFlows, "max-flows", c.MaxFlows, "size of the kernel's flow table between two drains (0: 65536)")
	fs.StringVar(&c.CgroupPath, "cgroup", c.CgroupPath, "cgroup v2 directory whose sockets' UDP is watched (default: the hierarchy's root)")
	fs.BoolVar(&c.Debug, "debug", c.Debug, "log at debug level")
}

// Validate checks the flags' values.
func (c Config) Validate() error {
	if c.Interval < 100*time.Millisecond {
		return fmt.Errorf("--interval %v: want at least 100ms", c.Interval)
	}
	return c.observer(nil).Validate()
}

func (c Config) observer(log *slog.Logger) observer.Config {
	return observer.Config{CgroupPath: c.CgroupPath, MaxFlows: c.MaxFlows, Logger: log}
}
