package observer

import (
	"fmt"
	"time"

	"github.com/cilium/ebpf"

	"golang.org/x/sys/unix"
)

// clock turns the kernel's bpf_ktime_get_ns (CLOCK_MONOTONIC) into wall
// time: wall and monotonic readings are taken together, so a record at
// mono ns happened at wall + (ns - mono).
type clock struct {
	wall time.Time
	mono int64
}

func newClock() clock {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) // cannot fail for this clock
	return clock{wall: time.Now(), mono: ts.Nano()}
}

func (c clock) at(ns uint64) time.Time {
	return c.wall.Add(time.Duration(int64(ns) - c.mono)).UTC()
}

// age is how long before the clock's reading mono ns was.
func (c clock) age(ns uint64) time.Duration {
	return time.Duration(c.mono - int64(ns))
}

// setTick tells the programs the kernel's tick length: they time events in
// jiffies (bpf/observer.c, flow_clock) and turn them into CLOCK_MONOTONIC
// ns with it. It is the coarse clock's resolution (clock_getres reports
// TICK_NSEC for it).
func setTick(spec *ebpf.CollectionSpec) error {
	var ts unix.Timespec
	if err := unix.ClockGetres(unix.CLOCK_MONOTONIC_COARSE, &ts); err != nil {
		return fmt.Errorf("read the kernel's tick length (clock_getres CLOCK_MONOTONIC_COARSE): %w", err)
	}
	return setVariables(spec, map[string]any{flowbpfVarTickNs: uint64(ts.Nano())})
}
