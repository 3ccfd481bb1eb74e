package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests walk an ordinary directory tree that mimics the kubelet's
// cgroups, so they need no root; the privileged tests in
// resolver_root_test.go use the real cgroup2 mount.

// tempResolver roots a resolver at a temporary directory, skipping the
// cgroup2 check that NewResolver makes.
func tempResolver(t testing.TB, opts Options) (*Resolver, string) {
	t.Helper()
	root := t.TempDir()
	var st unix.Stat_t
	if err := unix.Stat(root, &st); err != nil {
		t.Fatal(err)
	}
	return newResolver(root, st.Dev, opts), root
}

// mkdirID makes dir below root and returns its inode number.
func mkdirID(t testing.TB, root, dir string) uint64 {
	t.Helper()
	path := filepath.Join(root, dir)
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	id, err := ID(path)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestResolverFindsPodsOfBothDrivers(t *testing.T) {
	const uid = "0f3c5a7e-2b1d-4c8e-9a6f-1e2d3c4b5a69"
	r, root := tempResolver(t, Options{})
	tests := []struct {
		name, dir, uid string
	}{
		{"systemd driver, container", "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3c5a7e_2b1d_4c8e_9a6f_1e2d3c4b5a69.slice/cri-containerd-abc.scope", uid},
		{"systemd driver, guaranteed pod", "kubepods.slice/kubepods-pod0f3c5a7e_2b1d_4c8e_9a6f_1e2d3c4b5a69.slice", uid},
		{"cgroupfs driver, container", "kubepods/besteffort/pod0f3c5a7e-2b1d-4c8e-9a6f-1e2d3c4b5a69/4f1e9c", uid},
		{"cgroupfs driver, pod", "kubepods/besteffort/pod0f3c5a7e-2b1d-4c8e-9a6f-1e2d3c4b5a69", uid},
		{"not a pod", "system.slice/containerd.service", ""},
	}
	ids := map[string]uint64{}
	for _, tt := range tests {
		ids[tt.name] = mkdirID(t, root, tt.dir)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := r.PodUID(ids[tt.name])
			if got != tt.uid || ok != (tt.uid != "") {
				t.Fatalf("PodUID = %q, %v; want %q", got, ok, tt.uid)
			}
			if p, err := r.Path(ids[tt.name]); err != nil || p != "/"+tt.dir {
				t.Fatalf("Path = %q, %v; want /%s", p, err, tt.dir)
			}
		})
	}
}

func TestResolverRateLimitsRescans(t *testing.T) {
	tests := []struct {
		name      string
		minRescan time.Duration
		found     bool
	}{
		{"a second miss within MinRescan does not walk", time.Hour, false},
		{"every miss walks", -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, root := tempResolver(t, Options{MinRescan: tt.minRescan})
			if _, err := r.Path(1 << 62); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Path of an unknown ID: %v, want ErrNotFound", err)
			}
			id := mkdirID(t, root, "kubepods/pod0123456789abcdef0123456789abcdef")
			if _, ok := r.PodUID(id); ok != tt.found {
				t.Fatalf("PodUID of a cgroup made after a miss: found %v, want %v", ok, tt.found)
			}
		})
	}
}

func TestResolverForgetsRemovedCgroups(t *testing.T) {
	r, root := tempResolver(t, Options{MinRescan: -1})
	gone := mkdirID(t, root, "kubepods/pod0123456789abcdef0123456789abcdef")
	if _, ok := r.PodUID(gone); !ok {
		t.Fatal("pod cgroup not found")
	}
	if err := os.RemoveAll(filepath.Join(root, "kubepods")); err != nil {
		t.Fatal(err)
	}
	mkdirID(t, root, "other") // a miss for it rescans
	if _, err := r.Path(1 << 62); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Path of an unknown ID: %v", err)
	}
	if _, ok := r.PodUID(gone); ok {
		t.Fatal("a removed cgroup is still resolved after a rescan")
	}
}

// TestResolverConcurrentLookups is meant for -race: hits and misses from
// many goroutines while rescans replace the index.
func TestResolverConcurrentLookups(t *testing.T) {
	r, root := tempResolver(t, Options{MinRescan: -1})
	id := mkdirID(t, root, "kubepods/pod0123456789abcdef0123456789abcdef")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if _, ok := r.PodUID(id); !ok {
					errs <- errors.New("known pod cgroup not resolved")
					return
				}
				_, _ = r.PodUID(uint64(1<<62 + g*100 + i)) // misses rescan
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
