package netns

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// Start starts cmd inside the pod: in its network namespace and, through
// clone3(CLONE_INTO_CGROUP), directly in its cgroup, so every socket the
// process opens carries the pod's cgroup ID from the first one on. The
// process is killed and reaped in t.Cleanup if it is still running; callers
// that Wait themselves may do so.
func (p *Pod) Start(t testing.TB, cmd *exec.Cmd) error {
	t.Helper()
	dir, err := os.Open(p.Cgroup)
	if err != nil {
		return fmt.Errorf("open cgroup of pod %s: %w", p.Name, err)
	}
	defer dir.Close()
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.UseCgroupFD = true
	cmd.SysProcAttr.CgroupFD = int(dir.Fd())
	// No Pdeathsig: it fires when the forking thread ends, and startInNetNS
	// throws that thread away at once.
	if err := startInNetNS(p.ns, cmd); err != nil {
		return fmt.Errorf("pod %s: %w", p.Name, err)
	}
	t.Cleanup(func() { stop(cmd) })
	return nil
}

// stop kills cmd unless it already exited and reaps it.
func stop(cmd *exec.Cmd) {
	if cmd.ProcessState != nil {
		return
	}
	_ = cmd.Process.Kill()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// Exited reports whether a process with pid no longer exists.
func Exited(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
