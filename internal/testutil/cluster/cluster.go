package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// Cluster is a running test cluster.
type Cluster struct {
	Dir        string // the run folder: kubeconfig, data, logs
	Kubeconfig string
	scripts    string // hack/cluster
	UpTime     time.Duration
	// Before is the host state just before up, for comparing after Down.
	Before Snapshot
}

// RunDir is where hack/cluster keeps its state unless
// NETPOL_ADVISOR_CLUSTER_DIR says otherwise.
func RunDir() string {
	if d := os.Getenv("NETPOL_ADVISOR_CLUSTER_DIR"); d != "" {
		return d
	}
	return "/var/lib/netpol-advisor-cluster"
}

// Scripts finds hack/cluster by walking up from the working directory (a
// test runs in its package's folder) to the module root.
func Scripts() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find hack/cluster: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack", "cluster", "up.sh")); err == nil {
			return filepath.Join(dir, "hack", "cluster"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find hack/cluster: no hack/cluster/up.sh above the working directory")
		}
		dir = parent
	}
}

// Start brings the cluster up and registers Down as cleanup. It holds the
// machine-wide cluster lock until then (the scripts learn that through
// NETPOL_ADVISOR_CLUSTER_LOCKED), removes whatever a previous run left, and
// records the host state in c.Before. It skips outside CI, and fails in CI,
// when the test cannot run: no root, or binaries not built.
func Start(t testing.TB) *Cluster {
	t.Helper()
	testutil.RequireRoot(t)
	scripts, err := Scripts()
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Dir: RunDir(), scripts: scripts}
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	if out, err := c.script(time.Minute, "up.sh", "--check"); err != nil {
		testutil.SkipOrFail(t, "test cluster cannot start: "+strings.TrimSpace(out))
	}
	unlock, err := lock(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	// A cluster left running (make cluster-up, a killed test) is not part of
	// the machine's state: remove it before recording that state.
	if err := c.Down(); err != nil {
		unlock()
		t.Fatalf("remove a previous cluster: %v", err)
	}
	if c.Before, err = TakeSnapshot(); err != nil {
		unlock()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer unlock()
		if err := c.Down(); err != nil {
			t.Errorf("cluster down: %v", err)
		}
	})
	start := time.Now()
	if out, err := c.script(10*time.Minute, "up.sh"); err != nil {
		t.Fatalf("cluster up: %v\n%s\n%s", err, out, c.logTails())
	}
	c.UpTime = time.Since(start)
	return c
}

// Down stops the cluster and restores the machine (hack/cluster/down.sh).
func (c *Cluster) Down() error {
	if out, err := c.script(2*time.Minute, "down.sh"); err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	return nil
}

func (c *Cluster) script(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.scripts, name), args...)
	cmd.Env = append(os.Environ(), "NETPOL_ADVISOR_CLUSTER_LOCKED=1") // we hold the lock
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second // the components outlive the script
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("run %s: %w", name, err)
	}
	return out.String(), err
}

// logTails returns the end of each component's log, for failure messages.
func (c *Cluster) logTails() string {
	logs, _ := filepath.Glob(filepath.Join(c.Dir, "logs", "*.log"))
	var b strings.Builder
	for _, l := range logs {
		data, err := os.ReadFile(l)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		fmt.Fprintf(&b, "--- %s\n%s\n", filepath.Base(l), strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return b.String()
}
