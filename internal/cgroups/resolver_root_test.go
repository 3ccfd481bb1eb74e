package cgroups_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

const testUID = "0f3c5a7e-2b1d-4c8e-9a6f-1e2d3c4b5a69"

// makeCgroups creates dir (with its parents) below parent, removing each
// directory it made (and only those) at cleanup, innermost first (rmdir is how a cgroup is
// removed). It returns the innermost directory's cgroup ID.
func makeCgroups(t *testing.T, parent, dir string) uint64 {
	t.Helper()
	path := parent
	for part := range strings.SplitSeq(dir, "/") {
		path = filepath.Join(path, part)
		err := os.Mkdir(path, 0o755)
		if os.IsExist(err) {
			continue // a parent another call made and will remove
		}
		if err != nil {
			t.Fatal(err)
		}
		made := path
		t.Cleanup(func() {
			if err := os.Remove(made); err != nil && !os.IsNotExist(err) {
				t.Errorf("remove cgroup: %v", err)
			}
		})
	}
	id, err := cgroups.ID(path)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func testDir() string { return fmt.Sprintf("netpol-advisor-cgroups-test-%d", os.Getpid()) }

// TestResolverOnTheRealHierarchy makes kubelet-style cgroups of both drivers
// in the real cgroup v2 hierarchy, after the resolver started.
func TestResolverOnTheRealHierarchy(t *testing.T) {
	testutil.RequireRoot(t)
	r, err := cgroups.NewResolver("", cgroups.Options{MinRescan: -1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, dir, uid string }{
		{"systemd", "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + strings.ReplaceAll(testUID, "-", "_") + ".slice/cri-containerd-abc.scope", testUID},
		{"cgroupfs", "kubepods/besteffort/pod" + testUID + "/4f1e9c", testUID},
		{"not a pod", "system.slice/containerd.service", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := makeCgroups(t, r.Root(), testDir()+"/"+tt.dir)
			if p, err := r.Path(id); err != nil || p != "/"+testDir()+"/"+tt.dir {
				t.Fatalf("Path(%d) = %q, %v", id, p, err)
			}
			if uid, ok := r.PodUID(id); uid != tt.uid || ok != (tt.uid != "") {
				t.Fatalf("PodUID(%d) = %q, %v; want %q", id, uid, ok, tt.uid)
			}
		})
	}
}
