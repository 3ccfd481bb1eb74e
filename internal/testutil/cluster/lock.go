package cluster

import "github.com/netpol-advisor/netpol-advisor/internal/demo"

// lock serializes tests that use the cluster: there is one run folder and
// one bridge per machine, and several test binaries (or engineers, or
// `make demo`) may run at once. It blocks until the lock is free; unlock
// releases it. The demo takes the same lock (demo.Lock).
func lock(runDir string) (unlock func(), err error) { return demo.Lock(runDir) }
