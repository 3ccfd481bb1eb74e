package netns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

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
