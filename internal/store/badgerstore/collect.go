package badgerstore

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// collector groups rows, which arrive sorted by workload and then bucket,
// into baselines. A workload's edges are merged by their encoding before
// any is decoded: an edge seen in every bucket of a window is decoded once.
type collector struct {
	win flow.Window
	out []flow.Baseline
	*scratch
}

// scratch is the memory a scan reuses from the previous ones (see
// Store.scratch): the edge set's arena and index, and the interned names.
type scratch struct {
	edges edgeSet
	// names interns the strings of decoded edges: the same peers and
	// processes recur across edges, workloads and reads.
	names map[string]string
}

// maxInterned bounds scratch.names; past it the names start over.
const maxInterned = 1 << 14

func newScratch() any {
	return &scratch{edges: newEdgeSet(), names: make(map[string]string)}
}

// release empties sc for the next scan.
func (sc *scratch) release() {
	sc.edges.reset()
	if len(sc.names) > maxInterned {
		clear(sc.names)
	}
}

func (c *collector) add(item *badger.Item, w flow.WorkloadRef, rs rowSpan) error {
	if len(c.out) == 0 || c.out[len(c.out)-1].Workload != w {
		if err := c.flush(); err != nil {
			return err
		}
		c.out = append(c.out, flow.Baseline{Workload: w, Window: c.win})
	}
	win := &c.out[len(c.out)-1].Window
	if !win.From.IsZero() && rs.start.Before(win.From) {
		win.From = rs.start
	}
	if !win.To.IsZero() && rs.end().After(win.To) {
		win.To = rs.end()
	}
	if err := item.Value(c.edges.addRow); err != nil {
		return fmt.Errorf("read baseline row %q: %w", item.Key(), err)
	}
	return nil
}

// flush decodes the merged edges of the last workload into its flows,
// sorted as flow.Aggregate sorts them.
func (c *collector) flush() error {
	if c.edges.len() == 0 {
		return nil
	}
	b := &c.out[len(c.out)-1]
	flows := make([]flow.Flow, c.edges.len())
	for i := range flows {
		k, err := decodeEdgeInterned(b.Workload, c.edges.edge(i), c.names)
		if err != nil {
			return fmt.Errorf("decode edge of %s: %w", b.Workload, err)
		}
		flows[i] = c.edges.counters[i].flow(k)
	}
	flow.SortFlows(flows)
	b.Flows = flows
	c.edges.reset()
	return nil
}
