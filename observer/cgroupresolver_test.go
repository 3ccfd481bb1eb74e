package observer_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

func TestCgroupResolverFollowsTheHierarchy(t *testing.T) {
	testutil.RequireRoot(t)
	root, err := netns.Cgroup2Mount()
	if err != nil {
		t.Fatal(err)
	}
	r, err := observer.NewCgroupResolver(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, fmt.Sprintf("netpol-advisor-resolver-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	id, err := netns.CgroupID(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Created after the resolver: found by a rescan.
	if p, err := r.Path(id); err != nil || p != "/"+filepath.Base(dir) {
		t.Fatalf("Path(%d) = %q, %v; want /%s", id, p, err, filepath.Base(dir))
	}
	if _, ok, err := r.PodUID(id); ok || err != nil {
		t.Errorf("PodUID of a non-pod cgroup: ok %v, err %v", ok, err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	// IDs are never reused; an unknown one is reported as such.
	if _, err := r.Path(id + 1<<40); !errors.Is(err, observer.ErrCgroupNotFound) {
		t.Errorf("Path of an unknown ID: %v, want ErrCgroupNotFound", err)
	}
}
