package agent

import (
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Cgroups maps cgroup v2 IDs to the UIDs of the pods whose cgroups they
// are, by walking the cgroup tree the kubelet made. Host-network pods share
// the node's IP, so their sockets are told apart by cgroup only.
//
// A cgroup v2 ID is the inode number of its directory in cgroupfs (kernfs
// node ID): https://docs.kernel.org/admin-guide/cgroup-v2.html. Both kubelet
// cgroup drivers are understood:
//
//	systemd:  kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with _>.slice/…
//	cgroupfs: kubepods/burstable/pod<uid>/…
type Cgroups struct {
	root     string
	interval time.Duration

	mu       sync.Mutex
	ids      map[uint64]string
	lastScan time.Time
}

// NewCgroups indexes the cgroup v2 tree at root, rescanning on a miss at
// most every interval.
func NewCgroups(root string, interval time.Duration) *Cgroups {
	return &Cgroups{root: root, interval: interval, ids: map[uint64]string{}}
}

// PodUID returns the UID of the pod owning cgroup id.
func (c *Cgroups) PodUID(id uint64) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if uid, ok := c.ids[id]; ok {
		return uid, true
	}
	if time.Since(c.lastScan) < c.interval {
		return "", false
	}
	c.scan()
	uid, ok := c.ids[id]
	return uid, ok
}

func (c *Cgroups) scan() {
	c.lastScan = time.Now()
	ids := map[uint64]string{}
	_ = filepath.WalkDir(c.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil // cgroups come and go while we walk
		}
		uid, ok := podUID(path)
		if !ok {
			return nil
		}
		var st syscall.Stat_t
		if syscall.Stat(path, &st) == nil {
			ids[st.Ino] = uid
		}
		return nil
	})
	c.ids = ids
}

// podUID finds the pod UID in a cgroup path, from its innermost pod
// component.
func podUID(path string) (string, bool) {
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if s, ok := strings.CutSuffix(p, ".slice"); ok {
			if _, uid, ok := strings.Cut(s, "-pod"); ok && len(uid) == 36 {
				return strings.ReplaceAll(uid, "_", "-"), true
			}
			continue
		}
		if uid, ok := strings.CutPrefix(p, "pod"); ok && len(uid) == 36 {
			return uid, true
		}
	}
	return "", false
}
