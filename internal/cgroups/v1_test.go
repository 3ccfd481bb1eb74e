package cgroups_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// v1Mounts lists the mount points of cgroup v1 hierarchies.
func v1Mounts(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, _ := strings.Cut(sc.Text(), " - ")
		fields, fsType := strings.Fields(pre), strings.Fields(post)
		if len(fields) >= 5 && len(fsType) > 0 && fsType[0] == "cgroup" {
			mounts = append(mounts, fields[4])
		}
	}
	return mounts
}

// TestResolverNeverResolvesV1Cgroups is the hybrid host's bug: the v1
// hierarchies' inode numbers are not cgroup v2 IDs, so a walk that
// wandered into them (as one from /sys/fs/cgroup did) could name the wrong
// pod for a host-network socket. A pod-like cgroup made in every v1
// hierarchy must never be resolved, neither by a resolver at the
// discovered mount nor by one asked to start at the v1 parent.
func TestResolverNeverResolvesV1Cgroups(t *testing.T) {
	testutil.RequireRoot(t)
	v2, err := cgroups.V2Mount()
	if err != nil {
		t.Fatal(err)
	}
	v1 := v1Mounts(t)
	if len(v1) == 0 {
		t.Skipf("no cgroup v1 hierarchy mounted (unified host, cgroup2 at %s): nothing to confuse", v2)
	}
	parent := filepath.Dir(v1[0])
	if _, err := cgroups.NewResolver(parent, cgroups.Options{}); !errors.Is(err, cgroups.ErrNotV2) {
		t.Errorf("NewResolver(%q), the v1 hierarchies' parent: %v, want ErrNotV2", parent, err)
	}
	r, err := cgroups.NewResolver("", cgroups.Options{MinRescan: -1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Root() != v2 {
		t.Fatalf("default root %q, want the cgroup2 mount %s", r.Root(), v2)
	}
	// The same pod in the v2 hierarchy is found, so a miss below is not
	// a resolver that finds nothing.
	if uid, ok := r.PodUID(makeCgroups(t, v2, testDir()+"/kubepods/pod"+testUID)); !ok || uid != testUID {
		t.Fatalf("v2 pod cgroup: PodUID = %q, %v", uid, ok)
	}
	for _, m := range v1 {
		id := makeCgroups(t, m, testDir()+"/kubepods/pod"+testUID)
		if uid, ok := r.PodUID(id); ok && uid == testUID {
			t.Errorf("%s: the v1 cgroup's inode %d resolved to its pod: the walk left the cgroup2 file system", m, id)
		}
	}
}
