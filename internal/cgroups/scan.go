package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// rescan rebuilds the ID index from a walk of the hierarchy; cgroups that
// went away drop out. The caller holds r.mu for writing.
func (r *Resolver) rescan() error {
	r.lastScan = time.Now()
	byID := make(map[uint64]entry, len(r.byID))
	err := filepath.WalkDir(r.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		var st unix.Stat_t
		if unix.Stat(path, &st) != nil {
			return nil // removed while walking
		}
		if st.Dev != r.dev {
			// Another file system mounted below the root: its inode
			// numbers are not cgroup v2 IDs.
			return fs.SkipDir
		}
		byID[st.Ino] = r.entry(path)
		return nil
	})
	if err != nil {
		return fmt.Errorf("walk cgroups under %s: %w", r.root, err)
	}
	r.byID = byID
	return nil
}

// entry describes the cgroup directory at path, below r.root.
func (r *Resolver) entry(path string) entry {
	rel, _ := filepath.Rel(r.root, path)
	p := "/" + strings.TrimPrefix(filepath.ToSlash(rel), ".")
	uid, _ := PodUID(p)
	return entry{path: p, uid: uid}
}
