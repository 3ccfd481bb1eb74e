package cluster

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// reach checks, from the client pod, that the Service name resolves through
// CoreDNS to its ClusterIP and that both replicas' server answers over TCP
// and UDP through it.
func reach(ctx context.Context, c *Cluster) error {
	ip, err := c.Kubectl(ctx, "-n", "e2e", "get", "service", "server", "-o", "jsonpath={.spec.clusterIP}")
	if err != nil {
		return err
	}
	out, err := c.Exec(ctx, "e2e", "client", "/netcheck", "resolve", "server")
	if err != nil || !strings.Contains(out, strings.TrimSpace(ip)) {
		return fmt.Errorf("resolve server: want %s, got %q (%v)", ip, out, err)
	}
	for _, probe := range [][]string{{"tcp", "server:80"}, {"udp", "server.e2e.svc.cluster.local:5353"}} {
		out, err := c.Exec(ctx, "e2e", "client", "/netcheck", probe[0], "-timeout", "2s", probe[1])
		if err != nil || !strings.Contains(out, "hello over "+probe[0]+" from server-") {
			return fmt.Errorf("%s %s: got %q (%v)", probe[0], probe[1], out, err)
		}
	}
	return nil
}

// blocked checks that netcheck runs in the client but neither TCP nor UDP
// gets an answer.
func blocked(ctx context.Context, c *Cluster) error {
	for _, probe := range [][]string{{"tcp", "server:80"}, {"udp", "server:5353"}} {
		out, err := c.Exec(ctx, "e2e", "client", "/netcheck", probe[0], "-timeout", "2s", probe[1])
		if err == nil {
			return fmt.Errorf("%s %s still answers: %q", probe[0], probe[1], out)
		}
		if !strings.Contains(out, "netcheck: ") {
			return fmt.Errorf("%s %s: netcheck did not run: %q", probe[0], probe[1], out)
		}
	}
	return nil
}

// mib turns a byte count into MiB for the logs.
func mib(bytes string) string {
	n, err := strconv.ParseInt(bytes, 10, 64)
	if err != nil {
		return bytes
	}
	return strconv.FormatInt(n>>20, 10)
}

var errNoCounter = errors.New("rule not found")
