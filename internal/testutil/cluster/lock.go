package cluster

import (
	"fmt"
	"os"
	"syscall"
)

// lock serializes tests that use the cluster: there is one run folder and
// one bridge per machine, and several test binaries (or engineers) may run
// at once. It blocks until the lock is free; unlock releases it.
func lock(runDir string) (unlock func(), err error) {
	f, err := os.OpenFile(runDir+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open cluster lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("take cluster lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}
