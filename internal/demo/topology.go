package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// showTopology prints the workload's baseline as a table that fits 100
// columns, and writes the CLI's SVG map of its topology.
func (d *Demo) showTopology(ctx context.Context, s *Story, r *Result) error {
	edges, err := d.baseline(ctx, s)
	if err != nil {
		return err
	}
	d.p.info("its baseline, in short (the whole table: the command below)")
	d.p.command(fmt.Sprintf("netpol-advisor baseline %s -n %s", s.Workload, s.Namespace))
	d.p.block(edgeTable(edges, s.Namespace))
	d.p.info("(peers without a namespace are in %s; external ones are outside the cluster)", s.Namespace)
	svg, err := d.cli(ctx, "topology", s.Workload, "-n", s.Namespace, "-o", "svg")
	if err != nil {
		return err
	}
	r.SVG = filepath.Join(d.cfg.OutDir, s.Name+"-topology.svg")
	if err := os.WriteFile(r.SVG, []byte(svg.stdout), 0o644); err != nil {
		return fmt.Errorf("write the map: %w", err)
	}
	d.p.good("every peer at the Kubernetes level; the external address is unresolved and, by default, left out of recommendations")
	d.p.command(fmt.Sprintf("netpol-advisor topology %s -n %s -o svg > %s", s.Workload, s.Namespace, filepath.Base(r.SVG)))
	d.p.good("the map of %s: %s", s.Workload, r.SVG)
	return nil
}

// edgeTable lays the flows out in at most 100 columns: peers in the
// workload's own namespace are named without it.
func edgeTable(edges []edge, namespace string) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "DIRECTION\tPEER\tPORT\tCOUNT\tFAILED\tLAST SEEN\tPROCESS")
	for _, e := range edges {
		f := e.flow
		peer := strings.TrimPrefix(peerOf(f), namespace+"/")
		if len(peer) > 40 {
			peer = peer[:39] + "…"
		}
		fmt.Fprintf(w, "%s\t%s\t%d/%s\t%d\t%d\t%s ago\t%.10s\n", e.direction, peer, f.Port, f.Protocol, f.Count, f.Failed,
			time.Since(f.LastSeen.Time).Round(time.Second), f.Process)
	}
	w.Flush()
	return b.String()
}
