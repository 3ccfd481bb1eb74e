package observer

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// ErrCgroupNotFound is returned for a cgroup ID that no directory of the
// hierarchy has (any more).
var ErrCgroupNotFound = errors.New("cgroup not found")

// CgroupResolver maps the cgroup IDs in observations to cgroup paths and
// pod UIDs. It is how host-network pods, which share the node's IP, are
// told apart. IDs are cgroup directories' inode numbers; the resolver
// walks the hierarchy when it meets an ID it does not know.
type CgroupResolver struct {
	root string
	mu   sync.Mutex
	byID map[uint64]string
}

// NewCgroupResolver resolves IDs under the cgroup v2 root ("" finds it).
func NewCgroupResolver(root string) (*CgroupResolver, error) {
	if root == "" {
		var err error
		if root, err = cgroup2Root(); err != nil {
			return nil, err
		}
	}
	return &CgroupResolver{root: root, byID: map[uint64]string{}}, nil
}

// Path returns the cgroup's path relative to the root, as /proc/PID/cgroup
// shows it ("/kubepods/besteffort/pod<UID>/<container>").
func (r *CgroupResolver) Path(id uint64) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.byID[id]; ok {
		return p, nil
	}
	if err := r.rescan(); err != nil {
		return "", err
	}
	if p, ok := r.byID[id]; ok {
		return p, nil
	}
	return "", fmt.Errorf("cgroup %d: %w", id, ErrCgroupNotFound)
}

// PodUID returns the UID of the pod whose cgroup (or a container's below
// it) has the given ID; ok is false for cgroups outside pods.
func (r *CgroupResolver) PodUID(id uint64) (uid string, ok bool, err error) {
	p, err := r.Path(id)
	if err != nil {
		return "", false, err
	}
	uid, ok = PodUID(p)
	return uid, ok, nil
}

// rescan rebuilds the ID → path index; cgroups that went away drop out.
func (r *CgroupResolver) rescan() error {
	byID := map[uint64]string{}
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
		var st syscall.Stat_t
		if syscall.Stat(path, &st) == nil {
			rel, _ := filepath.Rel(r.root, path)
			byID[st.Ino] = "/" + strings.TrimPrefix(rel, ".")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walk cgroups under %s: %w", r.root, err)
	}
	r.byID = byID
	return nil
}
