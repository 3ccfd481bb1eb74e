package policy

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU returns the CPU time the current OS thread has used
// (CLOCK_THREAD_CPUTIME_ID, nanosecond resolution; getrusage only counts
// ticks). The benchmarks lock the goroutine to its thread and report it
// beside the wall-clock time: on a shared, loaded machine the wall-clock
// tail is mostly time spent waiting for a core.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func lockThread() func() {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
