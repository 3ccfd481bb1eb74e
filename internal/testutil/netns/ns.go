package netns

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/vishvananda/netns"
)

// newNetNS creates an unnamed network namespace and returns a handle to it.
// The namespace lives as long as the handle or a process in it does, so
// nothing is left in `ip netns list` or in /run/netns even if the test binary
// dies.
func newNetNS() (netns.NsHandle, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return netns.None(), fmt.Errorf("get current network namespace: %w", err)
	}
	defer orig.Close()
	ns, err := netns.New() // unshare(CLONE_NEWNET) on this thread
	if err != nil {
		return netns.None(), fmt.Errorf("create network namespace: %w", err)
	}
	if err := netns.Set(orig); err != nil {
		// The thread is in the wrong namespace: never give it back to Go.
		runtime.LockOSThread()
		ns.Close()
		return netns.None(), fmt.Errorf("return to the original network namespace: %w", err)
	}
	return ns, nil
}

// inNetNS runs fn on a dedicated OS thread that has joined ns. The thread is
// thrown away afterwards (the goroutine exits while locked), so no other
// goroutine ever runs in ns by accident.
func inNetNS(ns netns.NsHandle, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the runtime ends the thread
		if err := netns.Set(ns); err != nil {
			errc <- fmt.Errorf("join network namespace: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// startInNetNS starts cmd in ns: a child forked from a thread inherits that
// thread's network namespace.
func startInNetNS(ns netns.NsHandle, cmd *exec.Cmd) error {
	return inNetNS(ns, func() error {
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", filepath.Base(cmd.Path), err)
		}
		return nil
	})
}

// writeSysctl sets a per-namespace sysctl such as net/ipv4/ip_forward inside
// ns: /proc/sys/net shows the namespace of the thread that opens it.
func writeSysctl(ns netns.NsHandle, name, value string) error {
	return inNetNS(ns, func() error {
		if err := os.WriteFile(filepath.Join("/proc/sys", name), []byte(value), 0o644); err != nil {
			return fmt.Errorf("set sysctl %s: %w", name, err)
		}
		return nil
	})
}
