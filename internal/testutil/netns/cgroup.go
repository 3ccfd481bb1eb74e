package netns

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Cgroup2Mount returns where the cgroup v2 hierarchy is mounted, read from
// /proc/self/mountinfo: /sys/fs/cgroup on unified hosts,
// /sys/fs/cgroup/unified on hybrid ones.
func Cgroup2Mount() (string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", fmt.Errorf("read mount table: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		fields, fsType := strings.Fields(pre), strings.Fields(post)
		if len(fields) >= 5 && len(fsType) > 0 && fsType[0] == "cgroup2" {
			return fields[4], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read mount table: %w", err)
	}
	return "", errors.New("no cgroup2 file system mounted: mount one with `mount -t cgroup2 none /sys/fs/cgroup/unified`")
}

// CgroupID returns the ID of the cgroup at path: the inode number of its
// directory, which is what bpf_get_current_cgroup_id and
// bpf_skb_cgroup_id return.
func CgroupID(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("stat cgroup %q: %w", path, err)
	}
	return st.Ino, nil
}

// makeCgroup creates the cgroup directory dir.
func makeCgroup(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create cgroup %q: %w", dir, err)
	}
	return nil
}

// removeCgroup removes a cgroup directory, retrying while the kernel still
// counts exiting tasks in it.
func removeCgroup(dir string) error {
	var err error
	for range 50 {
		err = os.Remove(dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %q: %w", filepath.Base(dir), err)
}
