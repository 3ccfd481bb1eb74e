package observer

import (
	"errors"
	"fmt"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
)

// cgroup2Root returns the mount point of the cgroup v2 hierarchy, where
// the UDP programs attach by default. A host without one is unsupported.
func cgroup2Root() (string, error) {
	root, err := cgroups.V2Mount()
	if errors.Is(err, cgroups.ErrNoV2Mount) {
		return "", fmt.Errorf("%w (or set the cgroup path): %w", err, ErrUnsupported)
	}
	return root, err
}
