package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
)

var _ CgroupResolver = (*cgroups.Resolver)(nil)

// cgroupRescan bounds how often sockets of unknown cgroups make the
// resolver walk the hierarchy again.
const cgroupRescan = time.Second

// cgroupResolver returns the resolver of host-network pods' sockets, rooted
// at root or, when root is empty, at the cgroup2 mount: never at
// /sys/fs/cgroup as such, which on hybrid hosts holds the v1 hierarchies,
// whose inode numbers are not cgroup v2 IDs and could name the wrong pod.
// Without a cgroup2 mount to find it returns nil, and host-network pods'
// observations are dropped.
func cgroupResolver(root string, log *slog.Logger) (CgroupResolver, error) {
	r, err := cgroups.NewResolver(root, cgroups.Options{MinRescan: cgroupRescan})
	if root == "" && errors.Is(err, cgroups.ErrNoV2Mount) {
		log.Warn("host-network pods cannot be told apart: their observations are dropped", "err", err)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--cgroup-root: %w", err)
	}
	log.Info("host-network pods resolved by cgroup", "cgroup-root", r.Root())
	return r, nil
}
