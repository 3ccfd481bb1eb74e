package cgroups

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrNotFound is returned for a cgroup ID that no directory of the
// hierarchy has (any more), or that was asked for again before a rescan
// was allowed.
var ErrNotFound = errors.New("cgroup not found")

// DefaultMinRescan is how often, at most, a miss rescans the hierarchy
// when Options.MinRescan is zero.
const DefaultMinRescan = time.Second

// Options tune a Resolver.
type Options struct {
	// MinRescan is the least time between two rescans caused by misses
	// (0: DefaultMinRescan; negative: rescan on every miss).
	MinRescan time.Duration
}

// Resolver maps cgroup v2 IDs to cgroup paths and pod UIDs. It is how
// host-network pods, which share the node's IP, are told apart. It walks
// the hierarchy lazily, on a miss, at most once per MinRescan, and only
// ever the cgroup2 file system it was rooted at. It is safe for
// concurrent use.
type Resolver struct {
	root      string
	dev       uint64
	minRescan time.Duration

	mu       sync.RWMutex
	byID     map[uint64]entry
	lastScan time.Time
}

// entry is what the index knows of one cgroup.
type entry struct {
	path string // relative to the root, as /proc/PID/cgroup shows it
	uid  string // the pod's UID, "" outside pods
}

// NewResolver resolves IDs under the cgroup v2 mount root ("" finds it).
// A root that is not on a cgroup2 file system is refused with ErrNotV2.
func NewResolver(root string, opts Options) (*Resolver, error) {
	if root == "" {
		var err error
		if root, err = V2Mount(); err != nil {
			return nil, err
		}
	}
	dev, err := checkV2(root)
	if err != nil {
		return nil, err
	}
	return newResolver(root, dev, opts), nil
}

func newResolver(root string, dev uint64, opts Options) *Resolver {
	if opts.MinRescan == 0 {
		opts.MinRescan = DefaultMinRescan
	}
	return &Resolver{root: root, dev: dev, minRescan: opts.MinRescan, byID: map[uint64]entry{}}
}

// Root returns the cgroup2 directory the resolver walks.
func (r *Resolver) Root() string { return r.root }

// Path returns the cgroup's path relative to the root, as /proc/PID/cgroup
// shows it ("/kubepods/besteffort/pod<UID>/<container>").
func (r *Resolver) Path(id uint64) (string, error) {
	e, err := r.lookup(id)
	return e.path, err
}

// PodUID returns the UID of the pod whose cgroup (or a container's below
// it) has the given ID; ok is false for cgroups outside pods and for IDs
// not found.
func (r *Resolver) PodUID(id uint64) (uid string, ok bool) {
	e, err := r.lookup(id)
	return e.uid, err == nil && e.uid != ""
}

func (r *Resolver) lookup(id uint64) (entry, error) {
	r.mu.RLock()
	e, ok := r.byID[id]
	r.mu.RUnlock()
	if ok {
		return e, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.byID[id]; ok {
		return e, nil // another miss rescanned meanwhile
	}
	if time.Since(r.lastScan) < r.minRescan {
		return entry{}, fmt.Errorf("cgroup %d: %w", id, ErrNotFound)
	}
	if err := r.rescan(); err != nil {
		return entry{}, err
	}
	if e, ok := r.byID[id]; ok {
		return e, nil
	}
	return entry{}, fmt.Errorf("cgroup %d: %w", id, ErrNotFound)
}
