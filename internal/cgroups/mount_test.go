package cgroups

import (
	"errors"
	"strings"
	"testing"
)

func TestV2MountParsesMountinfo(t *testing.T) {
	tests := []struct {
		name, table, want string
		err               error
	}{
		{"hybrid", `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`, "/sys/fs/cgroup/unified", nil},
		{"unified", "29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n", "/sys/fs/cgroup", nil},
		{"optional fields before the separator", "29 23 0:26 / /run/cg rw shared:4 master:1 - cgroup2 none rw\n", "/run/cg", nil},
		{"escaped space", `29 23 0:26 / /mnt/my\040cgroups rw - cgroup2 cgroup2 rw` + "\n", "/mnt/my cgroups", nil},
		{"v1 only", "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "", ErrNoV2Mount},
		{"malformed lines", "garbage\n1 2 - cgroup2\n", "", ErrNoV2Mount},
		{"empty", "", "", ErrNoV2Mount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v2Mount(strings.NewReader(tt.table))
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("v2Mount = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// TestV2MountIsCgroup2 reads this machine's real mount table.
func TestV2MountIsCgroup2(t *testing.T) {
	root, err := V2Mount()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkV2(root); err != nil {
		t.Fatalf("V2Mount() = %q: %v", root, err)
	}
}
