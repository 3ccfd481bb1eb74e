package cgroups

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrNotV2 is returned for a directory that is not on a cgroup2 file
// system, such as /sys/fs/cgroup on a hybrid host (a tmpfs holding the v1
// hierarchies).
var ErrNotV2 = errors.New("not a cgroup2 file system")

// ID returns the ID of the cgroup at path: the inode number of its
// directory, which is what bpf_get_current_cgroup_id and
// bpf_skb_cgroup_id return (kernfs node IDs,
// https://docs.kernel.org/admin-guide/cgroup-v2.html).
func ID(path string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("stat cgroup %q: %w", path, err)
	}
	return st.Ino, nil
}

// checkV2 fails unless dir is on a cgroup2 file system, and returns the
// device it is on, so a walk can stay on that file system.
func checkV2(dir string) (dev uint64, err error) {
	var sfs unix.Statfs_t
	if err := unix.Statfs(dir, &sfs); err != nil {
		return 0, fmt.Errorf("statfs cgroup root %q: %w", dir, err)
	}
	if sfs.Type != unix.CGROUP2_SUPER_MAGIC {
		return 0, fmt.Errorf("cgroup root %q: %w (its IDs would not be cgroup v2 IDs; leave the root empty to find the cgroup2 mount)", dir, ErrNotV2)
	}
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return 0, fmt.Errorf("stat cgroup root %q: %w", dir, err)
	}
	return st.Dev, nil
}
