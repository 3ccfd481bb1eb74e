package demo

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// width is the terminal width the output is laid out for.
const width = 100

// printer writes the demo's output: step headings, indented facts and
// command output, wrapped at 100 columns; colour only on a terminal.
type printer struct {
	w     io.Writer
	color bool
}

func newPrinter(w io.Writer, color bool) *printer { return &printer{w: w, color: color} }

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// step prints a heading: "== 2. The hand-written policy".
func (p *printer) step(number, title string) {
	if number != "" {
		title = number + ". " + title
	}
	fmt.Fprintf(p.w, "\n%s\n", p.paint("1;36", "== "+title))
}

// info prints one wrapped line of narration.
func (p *printer) info(format string, args ...any) {
	p.wrapped("   ", fmt.Sprintf(format, args...))
}

// good and bad print a fact with a mark.
func (p *printer) good(format string, args ...any) {
	p.wrapped(p.paint("32", " ok")+" ", fmt.Sprintf(format, args...))
}

func (p *printer) bad(format string, args ...any) {
	p.wrapped(p.paint("31", " !!")+" ", fmt.Sprintf(format, args...))
}

// command shows a command the user can run; a long one is continued on
// the next line with a backslash, so that it still pastes into a shell.
func (p *printer) command(cmd string) {
	line, visible := "   "+p.paint("33", "$"), 4
	for _, word := range strings.Fields(cmd) {
		if visible+1+len(word)+2 > width && visible > 8 {
			fmt.Fprintln(p.w, line+" \\")
			line, visible = "       ", 7
		}
		line += " " + word
		visible += 1 + len(word)
	}
	fmt.Fprintln(p.w, line)
}

// block prints program output indented, each line cut at the width.
func (p *printer) block(text string) {
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l = "     " + l
		if r := []rune(l); len(r) > width {
			l = string(r[:width-1]) + "…"
		}
		fmt.Fprintln(p.w, l)
	}
}

// wrapped prints s after prefix, wrapping words at the width with the
// continuation lines indented.
func (p *printer) wrapped(prefix, s string) {
	indent := "     "
	line := prefix
	visible := utf8.RuneCountInString(stripColour(prefix))
	for i, word := range strings.Fields(s) {
		if i > 0 && visible+1+utf8.RuneCountInString(word) > width {
			fmt.Fprintln(p.w, line)
			line, visible = indent+word, len(indent)+utf8.RuneCountInString(word)
			continue
		}
		if i > 0 {
			line += " "
			visible++
		}
		line += word
		visible += utf8.RuneCountInString(word)
	}
	fmt.Fprintln(p.w, line)
}

func since(t time.Time) string { return time.Since(t).Round(100 * time.Millisecond).String() }

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// stripColour removes the escape sequences paint adds.
func stripColour(s string) string {
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], 'm')
		s = s[:i] + s[i+j+1:]
	}
}
