//go:build !linux

package policy

import "time"

// threadCPU is not measured outside Linux.
func threadCPU() time.Duration { return 0 }

func lockThread() func() { return func() {} }
