package testutil

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// Promtool runs the real `promtool check metrics` (Debian's prometheus
// package) over what g exposes, and fails the test on any problem it names:
// naming, units, counters' _total, help texts. It also fails when g exposes
// nothing, so a check of an empty registry proves nothing silently.
func Promtool(t testing.TB, g prometheus.Gatherer) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		SkipOrFail(t, "promtool is not installed (Debian package prometheus; hack/install-deps.sh installs it)")
	}
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather metrics: %v", err)
	}
	if len(mfs) == 0 {
		t.Fatal("promtool check: the registry exposes no metric")
	}
	var text bytes.Buffer
	enc := expfmt.NewEncoder(&text, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatalf("encode %s: %v", mf.GetName(), err)
		}
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = &text
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\nexposition:\n%s", err, out, text.String())
	}
}
