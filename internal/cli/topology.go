package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

func (c *common) topologyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "topology [WORKLOAD]",
		Short: "Who a workload (or every workload of the namespace) talks to, as text, Graphviz DOT, Mermaid or SVG",
		Example: "  netpol-advisor topology deploy/web -n shop\n" +
			"  netpol-advisor topology -n shop -o svg > shop.svg\n" +
			"  netpol-advisor topology deploy/web -n shop -o mermaid",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ns, err := c.namespace()
			if err != nil {
				return err
			}
			var name string
			if len(args) == 1 {
				w, err := parseWorkload(args[0])
				if err != nil {
					return err
				}
				name = objectName(w)
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			var list v1alpha1.TopologyList
			if err := cl.list(cmd.Context(), ns, "topologies", name, c.window, &list); err != nil {
				return err
			}
			if name != "" && len(list.Items) == 0 {
				return fmt.Errorf("no baseline of %s in namespace %s in the window: list what exists with: kubectl get baselines -n %s", args[0], ns, ns)
			}
			g := merge(list.Items)
			switch c.output {
			case "", "text":
				return writeText(c.opts.Out, g)
			case "dot":
				return writeDOT(c.opts.Out, g)
			case "mermaid":
				return writeMermaid(c.opts.Out, g)
			case "svg":
				return writeSVG(cmd.Context(), c.opts.Out, g)
			}
			return writeData(c.opts.Out, c.output, list)
		},
	}
	c.addWindowFlags(cmd)
	c.addOutputFlag(cmd, "text, dot, mermaid, svg, yaml or json (default text)")
	return cmd
}

// graph is the union of several workloads' topologies: an edge seen from
// both ends (a's egress and b's ingress) appears once.
type graph struct {
	nodes map[string]v1alpha1.Peer
	ids   []string
	edges []v1alpha1.TopologyEdge
}

func merge(ts []v1alpha1.Topology) graph {
	g := graph{nodes: map[string]v1alpha1.Peer{}}
	seen := map[string]int{}
	for _, t := range ts {
		for _, n := range t.Nodes {
			if _, ok := g.nodes[n.ID]; !ok {
				g.nodes[n.ID] = n.Peer
				g.ids = append(g.ids, n.ID)
			}
		}
		for _, e := range t.Edges {
			k := fmt.Sprintf("%s|%s|%d|%s", e.From, e.To, e.Port, e.Protocol)
			if i, ok := seen[k]; ok {
				g.edges[i].Count = max(g.edges[i].Count, e.Count)
				continue
			}
			seen[k] = len(g.edges)
			g.edges = append(g.edges, e)
		}
	}
	return g
}

func (g graph) label(id string) string {
	p := g.nodes[id]
	if p.Kind == "Workload" {
		return p.WorkloadKind + " " + p.Namespace + "/" + p.Name
	}
	return p.Display
}

func writeText(w io.Writer, g graph) error {
	t := newTable(w, "FROM", "TO", "PORT", "PROTOCOL", "COUNT", "FAILED", "LAST SEEN", "PEER")
	for _, e := range g.edges {
		peer := "resolved"
		if !g.nodes[e.From].Resolved || !g.nodes[e.To].Resolved {
			peer = "external"
		}
		t.row(g.label(e.From), g.label(e.To), e.Port, e.Protocol, e.Count, e.Failed, e.LastSeen.UTC().Format("2006-01-02T15:04:05Z"), peer)
	}
	return t.flush()
}

func writeDOT(w io.Writer, g graph) error {
	var b strings.Builder
	b.WriteString("digraph topology {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n")
	for i, id := range g.ids {
		attrs := ""
		if !g.nodes[id].Resolved {
			attrs = `, color="red", fontcolor="red"`
		}
		fmt.Fprintf(&b, "  n%d [label=%q%s];\n", i, g.label(id), attrs)
	}
	idx := indexOf(g.ids)
	for _, e := range g.edges {
		fmt.Fprintf(&b, "  n%d -> n%d [label=%q];\n", idx[e.From], idx[e.To], fmt.Sprintf("%d/%s", e.Port, e.Protocol))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMermaid(w io.Writer, g graph) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, id := range g.ids {
		fmt.Fprintf(&b, "  n%d[%q]\n", i, g.label(id))
		if !g.nodes[id].Resolved {
			fmt.Fprintf(&b, "  style n%d stroke:#d00,color:#d00\n", i)
		}
	}
	idx := indexOf(g.ids)
	for _, e := range g.edges {
		fmt.Fprintf(&b, "  n%d -->|%d/%s| n%d\n", idx[e.From], e.Port, e.Protocol, idx[e.To])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func indexOf(ids []string) map[string]int {
	m := make(map[string]int, len(ids))
	for i, id := range ids {
		m[id] = i
	}
	return m
}
