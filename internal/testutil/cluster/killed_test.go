package cluster

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// TestDownAfterKilledUp kills up.sh half way (node registered, CoreDNS
// being deployed) the way a timeout or Ctrl-C would; the components it started keep
// running. down.sh must still leave the host as it was.
func TestDownAfterKilledUp(t *testing.T) {
	testutil.RequireRoot(t)
	scripts, err := Scripts()
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Dir: RunDir(), Kubeconfig: filepath.Join(RunDir(), "kubeconfig"), scripts: scripts}
	if out, err := c.script(time.Minute, "up.sh", "--check"); err != nil {
		testutil.SkipOrFail(t, "test cluster cannot start: "+out)
	}
	unlock, err := lock(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if err := c.Down(); err != nil {
		t.Fatal(err)
	}
	before, err := TakeSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	killUpHalfWay(t, c)
	if err := c.Down(); err != nil {
		t.Fatal(err)
	}
	after, err := TakeSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("host state after down of a killed up differs (-before +after):\n%s", diff)
	}
}

func killUpHalfWay(t *testing.T, c *Cluster) {
	t.Helper()
	up := exec.Command(filepath.Join(c.scripts, "up.sh"))
	up.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	up.Env = append(os.Environ(), "NETPOL_ADVISOR_CLUSTER_LOCKED=1")
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- up.Wait() }()
	Eventually(t, 3*time.Minute, "up.sh to start kube-router", func() error {
		_, err := os.Stat(filepath.Join(c.Dir, "pids", "kube-router"))
		return err
	})
	Eventually(t, 2*time.Minute, "a pod sandbox on the bridge", func() error {
		if countLinks() < 2 { // the bridge and a pod's veth
			return errors.New("no pod veth on npa-br0 yet")
		}
		return nil
	})
	if err := syscall.Kill(-up.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	t.Logf("killed up.sh; %d mounts and %d links left to down.sh", countLines(string(mounts), c.Dir), countLinks())
}

func countLines(text, substr string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}

func countLinks() int {
	out, _ := exec.Command("ip", "-o", "link", "show").Output()
	return countLines(string(out), "npa-br0")
}
