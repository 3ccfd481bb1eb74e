package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// module is the import path the test builds the commands from.
const module = "github.com/netpol-advisor/netpol-advisor"

// buildCommands compiles cmd/server and cmd/observer from the checkout into
// a temporary directory, so the test runs the committed code, not an
// installed binary. One go build links both in parallel.
func buildCommands(t *testing.T) (server, observer string) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), module+"/cmd/server", module+"/cmd/observer")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/server cmd/observer: %v\n%s", err, out)
	}
	return filepath.Join(dir, "server"), filepath.Join(dir, "observer")
}

// proc is a command the test started; its standard error is kept, shown
// when the test fails.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stderr *testutil.SyncBuffer
	done   chan struct{}
	err    error // of Wait, once done is closed
}

func start(t *testing.T, name, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(bin, args...), stderr: &testutil.SyncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.stderr, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.stderr.String())
		}
	})
	return p
}

// waitLog waits until the process has logged line, and fails if it exits
// first.
func (p *proc) waitLog(t *testing.T, line string, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !strings.Contains(p.stderr.String(), line); time.Sleep(50 * time.Millisecond) {
		select {
		case <-p.done:
			t.Fatalf("%s exited (%v) before logging %q:\n%s", p.name, p.err, line, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not log %q within %v:\n%s", p.name, line, timeout, p.stderr.String())
		}
	}
}

// terminate sends SIGTERM, as the kubelet does, and fails unless the
// process exits with status 0 in time.
func (p *proc) terminate(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM %s: %v", p.name, err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s still running 30 s after SIGTERM", p.name)
	}
	if p.err != nil {
		t.Errorf("%s after SIGTERM: %v (want exit status 0)", p.name, p.err)
	}
}
