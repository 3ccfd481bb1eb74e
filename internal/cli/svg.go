package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/goccy/go-graphviz"
)

// writeSVG lays the graph out with Graphviz's dot (go-graphviz runs
// Graphviz itself, compiled to WebAssembly, in-process: no binary to
// install) and writes it as SVG.
func writeSVG(ctx context.Context, w io.Writer, g graph) error {
	var dot bytes.Buffer
	if err := writeDOT(&dot, g); err != nil {
		return err
	}
	gv, err := graphviz.New(ctx)
	if err != nil {
		return fmt.Errorf("start graphviz: %w", err)
	}
	defer gv.Close()
	parsed, err := graphviz.ParseBytes(dot.Bytes())
	if err != nil {
		return fmt.Errorf("lay out the topology: %w", err)
	}
	defer parsed.Close()
	if err := gv.Render(ctx, parsed, graphviz.SVG, w); err != nil {
		return fmt.Errorf("render the topology as SVG: %w", err)
	}
	return nil
}
