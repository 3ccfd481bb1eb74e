package observer

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// cgroup2Root returns the mount point of the cgroup v2 hierarchy:
// /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones.
func cgroup2Root() (string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", fmt.Errorf("read mount table: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, fsType := strings.Fields(pre), strings.Fields(post)
		if ok && len(fields) >= 5 && len(fsType) > 0 && fsType[0] == "cgroup2" {
			return fields[4], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read mount table: %w", err)
	}
	return "", fmt.Errorf("no cgroup2 file system is mounted: mount one (mount -t cgroup2 none /sys/fs/cgroup) or set the cgroup path: %w", ErrUnsupported)
}
