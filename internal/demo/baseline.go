package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// edge is one flow of the story's workload, named as the story names it.
type edge struct {
	key       string // "egress external 203.0.113.7 27017/TCP"
	direction string // "ingress" or "egress"
	flow      v1alpha1.Flow
}

func newEdge(direction string, f v1alpha1.Flow) edge {
	return edge{key: flowKey(direction, f), direction: direction, flow: f}
}

// baseline reads the workload's baseline through the CLI (-o json).
func (d *Demo) baseline(ctx context.Context, s *Story) ([]edge, error) {
	out, err := d.cli(ctx, "baseline", s.Workload, "-n", s.Namespace, "-o", "json")
	if err != nil {
		return nil, err
	}
	var list v1alpha1.BaselineList
	if err := json.Unmarshal([]byte(out.stdout), &list); err != nil {
		return nil, fmt.Errorf("decode the CLI's baseline: %w", err)
	}
	var edges []edge
	for _, b := range list.Items {
		for _, f := range b.Ingress {
			edges = append(edges, newEdge("ingress", f))
		}
		for _, f := range b.Egress {
			edges = append(edges, newEdge("egress", f))
		}
	}
	return edges, nil
}

// flowKey names a flow: direction, the peer as the API displays it
// (without the Service it went through), port/protocol.
func flowKey(direction string, f v1alpha1.Flow) string {
	return fmt.Sprintf("%s %s %d/%s", direction, peerOf(f), f.Port, f.Protocol)
}

// peerOf is the peer as the API displays it, without the Service the flow
// went through.
func peerOf(f v1alpha1.Flow) string {
	peer, _, _ := strings.Cut(f.Peer.Display, " via ")
	return peer
}

// missing is the expected keys not among edges' successful flows, sorted:
// a failed connect alone (a peer not ready yet) is not traffic.
func missing(expected []string, edges []edge) []string {
	seen := map[string]bool{}
	for _, e := range edges {
		seen[e.key] = seen[e.key] || e.flow.Count > 0
	}
	var out []string
	for _, k := range expected {
		if !seen[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// waitPeers waits until the baseline holds every expected peer.
func (d *Demo) waitPeers(ctx context.Context, s *Story, r *Result) error {
	d.p.info("the observers report real connections; the baseline of %s fills as they arrive", s.Workload)
	last := -1
	return d.waitFor(ctx, "every expected peer in the baseline", func() error {
		edges, err := d.baseline(ctx, s)
		if err != nil {
			return err
		}
		left := missing(s.Expect.Peers, edges)
		if n := len(s.Expect.Peers) - len(left); n != last {
			d.p.info("%d of %d expected peers seen", n, len(s.Expect.Peers))
			last = n
		}
		if len(left) > 0 {
			return fmt.Errorf("not yet seen: %s", strings.Join(left, "; "))
		}
		for _, e := range edges {
			r.Peers = append(r.Peers, e.key)
		}
		sort.Strings(r.Peers)
		return nil
	})
}
