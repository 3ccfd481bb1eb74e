package netns_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// hostState is what a test must leave as it found it on the host: the
// harness's veth names and named namespaces. Only those are compared, since
// other tests on the machine may add their own links meanwhile.
type hostState struct {
	Links      []string
	NamedNetNS []string
}

func snapshot(t *testing.T) hostState {
	t.Helper()
	links, err := netlink.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	var s hostState
	for _, l := range links {
		if name := l.Attrs().Name; strings.HasPrefix(name, "vp") {
			s.Links = append(s.Links, name)
		}
	}
	named, _ := os.ReadDir("/run/netns") // absent when no named namespace exists
	for _, e := range named {
		s.NamedNetNS = append(s.NamedNetNS, e.Name())
	}
	slices.Sort(s.Links)
	return s
}

func TestTeardownLeavesNothing(t *testing.T) {
	testutil.RequireRoot(t)
	before := snapshot(t)
	var cgroups []string
	var pid int
	t.Run("build", func(t *testing.T) {
		node := netns.NewNode(t)
		a, b := node.AddPod(t, "a"), node.AddPod(t, "b")
		h := node.AddHostNetworkPod(t, "h")
		kubepods := filepath.Dir(filepath.Dir(a.Cgroup))
		cgroups = []string{a.Cgroup, b.Cgroup, h.Cgroup, filepath.Dir(a.Cgroup), kubepods, filepath.Dir(kubepods)}
		cmd := exec.Command("sleep", "60")
		if err := b.Start(t, cmd); err != nil {
			t.Fatal(err)
		}
		pid = cmd.Process.Pid
		if err := node.AddService("tcp", mustAddrPort("198.19.0.1:80"), mustAddrPort("198.18.0.3:8080")); err != nil {
			t.Fatal(err)
		}
	})
	if !netns.Exited(pid) {
		t.Errorf("process %d still runs after teardown", pid)
	}
	for _, c := range cgroups {
		if _, err := os.Stat(c); !os.IsNotExist(err) {
			t.Errorf("cgroup %s left behind (stat: %v)", c, err)
		}
	}
	if diff := cmp.Diff(before, snapshot(t)); diff != "" {
		t.Errorf("host state changed (-before +after):\n%s", diff)
	}
}
