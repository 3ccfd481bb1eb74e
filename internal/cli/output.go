package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"golang.org/x/term"
	"sigs.k8s.io/yaml"
)

// writeData prints v as json or yaml, the formats machines read.
func writeData(w io.Writer, format string, v any) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "yaml":
		out, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
	return fmt.Errorf("unknown output format %q", format)
}

// table writes aligned columns for people.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...any) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...any) {
	for i, c := range cells {
		if i > 0 {
			fmt.Fprint(t.tw, "\t")
		}
		fmt.Fprint(t.tw, c)
	}
	fmt.Fprintln(t.tw)
}

func (t *table) flush() error { return t.tw.Flush() }

// colour paints s red, green or bold when w is a terminal, and leaves it
// plain otherwise (pipes, files, CI logs).
type colour struct{ on bool }

func colourFor(w io.Writer, noColour bool) colour {
	f, ok := w.(*os.File)
	return colour{on: ok && !noColour && term.IsTerminal(int(f.Fd()))}
}

func (c colour) paint(code, s string) string {
	if !c.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (c colour) red(s string) string   { return c.paint("31", s) }
func (c colour) green(s string) string { return c.paint("32", s) }
func (c colour) bold(s string) string  { return c.paint("1", s) }
