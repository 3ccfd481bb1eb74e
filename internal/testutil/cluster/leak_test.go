package cluster

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// leakTarget is TEST-NET-2: not ours, and never reachable from here. The
// host's default route would send it out of the machine, which is exactly
// what the guard must stop.
const leakTarget = "198.51.100.1:80"

// checkExternalHost starts a server on an "external" host (203.0.113.7, a
// namespace on the bridge) and checks that the client pod reaches it.
func checkExternalHost(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	if out, err := c.ExtHost(ctx, "add", "ext7", "203.0.113.7/28"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	c.ServeOnExtHost(t, "ext7", c.NetcheckBinary(), "serve", "-tcp", ":27017", "-udp", ":27018")
	Eventually(t, 30*time.Second, "client reaches the external host 203.0.113.7", func() error {
		out, err := c.Exec(ctx, "e2e", "client", "/netcheck", "tcp", "-timeout", "2s", "203.0.113.7:27017")
		if err != nil || !strings.Contains(out, "hello over tcp") {
			return fmt.Errorf("got %q (%v)", out, err)
		}
		return nil
	})
}

// checkNoLeak proves that nothing leaves the cluster ranges: a pod, which
// has no default route, cannot connect outside them; and a namespace on the
// bridge that does have a default route through the node gets its packets
// dropped by the nft guard, whose counter shows it (the guard is verified to
// be in place before any packet is sent).
func checkNoLeak(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	out, err := c.Exec(ctx, "e2e", "client", "/netcheck", "tcp", "-timeout", "2s", leakTarget)
	if err == nil || !strings.Contains(out, "network is unreachable") {
		t.Errorf("pod connect to %s: want 'network is unreachable', got %q (%v)", leakTarget, out, err)
	}
	before, err := guardCounter("leak: from the cluster ranges")
	if err != nil {
		t.Fatalf("leak guard not in place, not sending the probe: %v", err)
	}
	if out, err := c.ExtHost(ctx, "add", "probe", "198.18.250.250/16"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() { _, _ = c.ExtHost(context.Background(), "del", "probe") })
	if out, err := c.ExtHost(ctx, "exec", "probe", "ip", "route", "add", "default", "via", "198.18.0.1"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	out, err = c.ExtHost(ctx, "exec", "probe", c.NetcheckBinary(), "tcp", "-timeout", "2s", leakTarget)
	if err == nil {
		t.Fatalf("probe reached %s through the node: %q", leakTarget, out)
	}
	after, err := guardCounter("leak: from the cluster ranges")
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("the guard's leak rule dropped nothing (%d -> %d packets): the probe failed for another reason: %q", before, after, out)
	}
	if n, err := guardCounter("leak probe target, never reached"); err != nil || n != 0 {
		t.Errorf("the last-resort probe rule counted %d packets (%v): the range rules let the probe through", n, err)
	}
}

var counterRE = regexp.MustCompile(`counter packets (\d+) bytes \d+ drop comment "([^"]+)"`)

// guardCounter reads the packet counter of the guard rule with comment.
func guardCounter(comment string) (int, error) {
	out, err := exec.Command("nft", "list", "chain", "inet", "netpol_advisor_guard", "postrouting").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("list the guard chain: %w: %s", err, out)
	}
	for _, m := range counterRE.FindAllStringSubmatch(string(out), -1) {
		if m[2] == comment {
			return strconv.Atoi(m[1])
		}
	}
	return 0, fmt.Errorf("guard rule %q: %w", comment, errNoCounter)
}

// bridgeName is the cluster bridge (BRIDGE in hack/cluster/lib.sh).
const bridgeName = "npa-br0"

// checkBridgeRoutesOwnRangesOnly checks that the host routes nothing into
// the cluster bridge but the project's own ranges (pods, Services and the
// /28 of external test hosts): the rest of 203.0.113.0/24, and every other
// address, keeps the route it had, so the machine's own traffic (its package
// registries among it) is untouched while the cluster runs.
func checkBridgeRoutesOwnRangesOnly(ctx context.Context, t *testing.T) {
	t.Helper()
	own := []netip.Prefix{
		netip.MustParsePrefix("198.18.0.0/16"),
		netip.MustParsePrefix("198.19.0.0/16"),
		netip.MustParsePrefix("203.0.113.0/28"),
	}
	out, err := exec.CommandContext(ctx, "ip", "-4", "route", "show", "table", "all", "dev", bridgeName).CombinedOutput()
	if err != nil {
		t.Fatalf("ip route show dev %s: %v: %s", bridgeName, err, out)
	}
	routes := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dst := strings.Fields(line)
		if len(dst) == 0 {
			continue
		}
		if dst[0] == "local" || dst[0] == "broadcast" {
			dst = dst[1:]
		}
		p, err := netip.ParsePrefix(dst[0])
		if err != nil {
			a, aerr := netip.ParseAddr(dst[0])
			if aerr != nil {
				t.Errorf("route into %s with a destination that is not an address: %q", bridgeName, line)
				continue
			}
			p = netip.PrefixFrom(a, 32)
		}
		routes++
		if !slices.ContainsFunc(own, func(o netip.Prefix) bool { return o.Bits() <= p.Bits() && o.Contains(p.Addr()) }) {
			t.Errorf("route into %s outside the project's ranges: %q", bridgeName, line)
		}
	}
	if routes == 0 {
		t.Errorf("no route into %s: the check would prove nothing", bridgeName)
	}
}
