package demo

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// Everything the printer writes fits 100 columns, and colour appears only
// when asked for (a terminal).
func TestPrinterFits100ColumnsAndColoursOnlyOnATerminal(t *testing.T) {
	long := strings.Repeat("netpol-advisor: egress to kube-system/kube-dns UDP 53 (DNS) is not allowed ", 4)
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		p := newPrinter(&b, color)
		p.step("2", "The hand-written policy")
		p.info("%s", long)
		p.wrapped(p.paint("33", "   Warning:")+" ", long)
		p.block(long)
		p.good("%s", long)
		p.command("kubectl " + long)
		for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			plain := stripColour(l)
			if n := utf8.RuneCountInString(plain); n > width {
				t.Errorf("colour %v: a line of %d columns: %q", color, n, plain)
			}
		}
		if got := strings.Contains(b.String(), "\x1b["); got != color {
			t.Errorf("colour %v: escape sequences present = %v", color, got)
		}
	}
}

func TestFlowKeyAndMissing(t *testing.T) {
	f := v1alpha1.Flow{Peer: v1alpha1.Peer{Display: "ledger/StatefulSet/ledger-db via service ledger/ledger-db:5432"},
		Port: 15432, Protocol: "TCP", Count: 3}
	failedOnly := v1alpha1.Flow{Peer: v1alpha1.Peer{Display: "external 203.0.113.9"}, Port: 443, Protocol: "TCP", Failed: 2}
	edges := []edge{newEdge("egress", f), newEdge("egress", failedOnly)}
	if edges[0].key != "egress ledger/StatefulSet/ledger-db 15432/TCP" {
		t.Errorf("flowKey = %q", edges[0].key)
	}
	got := missing([]string{"egress external 203.0.113.9 443/TCP", "egress ledger/StatefulSet/ledger-db 15432/TCP"}, edges)
	if len(got) != 1 || got[0] != "egress external 203.0.113.9 443/TCP" {
		t.Errorf("missing = %v, want only the failed-only flow (a failed connect is not traffic)", got)
	}
	table := edgeTable(edges, "ledger")
	if !strings.Contains(table, "StatefulSet/ledger-db ") || strings.Contains(table, "ledger/StatefulSet") {
		t.Errorf("the table names peers of the workload's namespace without it:\n%s", table)
	}
}

func TestWarningsAreKubectlsWarningLines(t *testing.T) {
	stderr := "Warning: netpol-advisor: a: egress to b\nsomething else\nWarning: netpol-advisor: c\n"
	got := Warnings(stderr)
	if len(got) != 2 || got[0] != "netpol-advisor: a: egress to b" || got[1] != "netpol-advisor: c" {
		t.Errorf("warnings = %q", got)
	}
}
