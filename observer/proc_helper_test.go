package observer_test

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// threadMain: "thread NAME SPEC..." runs client steps on one OS thread
// renamed to NAME, as a resolver's worker thread is (dig's isc-net-0000):
// the process keeps its own name.
func threadMain(args []string) error {
	// Keep the main thread (the thread-group leader, whose name is the
	// process's) for main; the steps run on another thread.
	runtime.LockOSThread()
	errc := make(chan error, 1)
	go func() { errc <- onNamedThread(args) }()
	return <-errc
}

func onNamedThread(args []string) error {
	runtime.LockOSThread() // never unlocked: the renamed thread exits with the goroutine
	name, err := unix.BytePtrFromString(args[0])
	if err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0); err != nil {
		return fmt.Errorf("name the thread: %w", err)
	}
	for _, spec := range args[1:] {
		kind, addr, _ := strings.Cut(spec, ":")
		if err := clientStep(kind, addr); err != nil {
			return err
		}
	}
	return nil
}

// pendingMain: "pending ADDR N" starts N connects to ADDR (where a filter
// drops them) from one thread on CPU 0, so that all N wait in SYN_SENT on
// that CPU's list, then closes them: N timed-out connects.
func pendingMain(args []string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpus unix.CPUSet
	cpus.Set(0)
	if err := unix.SchedSetaffinity(0, &cpus); err != nil {
		return fmt.Errorf("pin to CPU 0: %w", err)
	}
	n := atoi(args[1])
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: uint64(n) + 100, Max: uint64(n) + 100}); err != nil {
		return fmt.Errorf("allow %d sockets: %w", n, err)
	}
	dst := netip.MustParseAddrPort(args[0])
	sa := &unix.SockaddrInet4{Port: int(dst.Port()), Addr: dst.Addr().As4()}
	fds := make([]int, 0, n)
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for range n {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
		if err != nil {
			return err
		}
		fds = append(fds, fd)
		if err := unix.Connect(fd, sa); !errors.Is(err, unix.EINPROGRESS) {
			return fmt.Errorf("connect: %v, want it in progress", err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	return nil
}
