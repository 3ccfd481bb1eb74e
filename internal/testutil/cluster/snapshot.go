package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Snapshot is the host state the cluster may change, one sorted list of
// lines per aspect. Two snapshots are compared with go-cmp.
type Snapshot map[string][]string

// volatileSysctls change on their own (counters, random values) and are
// left out of the comparison.
var volatileSysctls = regexp.MustCompile(`^(fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\..*)|` +
	`kernel\.(ns_last_pid|random\.(uuid|entropy_avail)|pty\.nr)|net\.netfilter\.nf_conntrack_count) =`)

// othersMounts are mounts other tests make while ours runs (go test runs
// packages in parallel): bpffs, tracefs and debugfs for the eBPF observer,
// network namespace files of the network-namespace harness. Ours (under
// the run folder) are still compared.
var othersMounts = regexp.MustCompile(` - (bpf|tracefs|debugfs) |^\S+ \S+ /run/netns|^\S+ \S+ \S*/netns/\S+ .* - nsfs `)

// counters are zeroed so rules compare by meaning, not by traffic seen.
var counters = regexp.MustCompile(`counter packets \d+ bytes \d+`)

// TakeSnapshot records interfaces and their addresses, routes, the whole nft
// ruleset (iptables-nft rules included), ipsets, mounts, sysctls and the
// cluster's cgroups.
func TakeSnapshot() (Snapshot, error) {
	s := Snapshot{}
	commands := map[string][]string{
		"links":     {"ip", "-o", "link", "show"},
		"addresses": {"ip", "-o", "addr", "show"},
		"routes":    {"ip", "route", "show", "table", "all"},
		"nft":       {"nft", "list", "ruleset"},
		"ipsets":    {"ipset", "list", "-n"},
		"sysctls":   {"sysctl", "-a"},
	}
	for name, argv := range commands {
		out, err := exec.Command(argv[0], argv[1:]...).Output()
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %s: %w", name, strings.Join(argv, " "), err)
		}
		s[name] = lines(string(out), name)
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("snapshot mounts: %w", err)
	}
	s["mounts"] = lines(string(mounts), "mounts")
	cgroups, _ := filepath.Glob("/sys/fs/cgroup/*/netpol-advisor-cluster")
	s["cgroups"] = cgroups
	return s, nil
}

// lines normalizes one command's output: sorted lines, volatile parts out.
func lines(out, name string) []string {
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		switch name {
		case "sysctls":
			if volatileSysctls.MatchString(l) {
				continue
			}
		case "nft":
			l = counters.ReplaceAllString(l, "counter")
		case "mounts": // drop mount and parent ids: "36 25 0:31 / /sys ..."
			if f := strings.Fields(l); len(f) > 4 {
				l = strings.Join(f[2:], " ")
			}
			if othersMounts.MatchString(l) && !strings.Contains(l, "netpol-advisor-cluster") {
				continue
			}
		case "links", "addresses": // drop the interface index
			if _, rest, ok := strings.Cut(l, ": "); ok {
				l = rest
			}
		}
		if l = strings.TrimSpace(l); l != "" {
			keep = append(keep, l)
		}
	}
	sort.Strings(keep)
	return keep
}
