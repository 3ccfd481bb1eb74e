package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// matrix is a from × to truth table of pod strings.
type matrix map[[2]string]bool

// expected applies the Reachability calls in order over the default.
func (p confProbe) expected(pods []string) matrix {
	m := matrix{}
	for _, from := range pods {
		for _, to := range pods {
			m[[2]string{from, to}] = p.Default
		}
	}
	for _, e := range p.Expect {
		for _, from := range pods {
			for _, to := range pods {
				if peerPatternMatches(e.From, from) && peerPatternMatches(e.To, to) {
					m[[2]string{from, to}] = e.Connected
				}
			}
		}
	}
	return m
}

func observe(ev *Evaluator, names []string, pods map[string]Endpoint, p confProbe) matrix {
	m := matrix{}
	for _, from := range names {
		for _, to := range names {
			conn := Connection{Source: pods[from], Destination: pods[to], Port: p.Port, Protocol: p.Protocol}
			m[[2]string{from, to}] = ev.Evaluate(conn).Allowed
		}
	}
	return m
}

// matricesEqual ignores loopback, as upstream does.
func matricesEqual(pods []string, a, b matrix) bool {
	for k, v := range a {
		if k[0] != k[1] && b[k] != v {
			return false
		}
	}
	return true
}

func renderMatrix(pods []string, m matrix) string {
	var b strings.Builder
	b.WriteString("   ")
	for _, to := range pods {
		fmt.Fprintf(&b, " %s", to)
	}
	b.WriteString("\n")
	for _, from := range pods {
		row := from
		for _, to := range pods {
			cell := "X"
			switch {
			case from == to:
				cell = "-"
			case m[[2]string{from, to}]:
				cell = "."
			}
			row += "  " + cell + " "
		}
		b.WriteString(strings.TrimRight(row, " ") + "\n")
	}
	return b.String()
}

// goldenText compares text with testdata/<name>, or rewrites it with
// -update.
func goldenText(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the expectations in the cases; run with -update after reviewing", name)
	}
}
