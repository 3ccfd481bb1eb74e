package observer

import (
	"time"

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
