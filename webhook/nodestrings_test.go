package webhook

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// Issue 11 item 5 against the real kube-apiserver and kubectl: a pod whose
// process name holds control characters (here BEL and the terminal's
// "conceal" sequence) cannot hide the warning about its own blocked flows:
// the API server drops a whole warning with a control character, so the
// name must arrive escaped, and kubectl prints all three story warnings.
func TestControlCharacterProcessStillWarnsThroughKubectl(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		testutil.SkipOrFail(t, "kubectl is not on PATH")
	}
	s := startSuite(t, Options{NoAnnotator: true})
	var b store.Batch
	readYAML(t, "story/baseline.yaml", &b)
	const hidden = "java\x1b[8m\x07\u202e"
	for i := range b.Flows {
		b.Flows[i].Process = hidden
	}
	if _, err := s.store.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	k := kubectl{t: t, cp: s.cp}
	k.run(nil, "apply", "-f", "testdata/story/cluster.yaml", "-f", "testdata/story/javaapp.yaml")
	s.waitForCache(t, 6)
	_, stderr := k.run(nil, "apply", "--dry-run=server", "-f", "testdata/story/handwritten.yaml")
	assertStoryWarnings(t, stderr)
	for _, l := range warnings(stderr) {
		t.Logf("kubectl printed: Warning: %s", l)
		if !strings.Contains(l, `by "java\x1b[8m\x07\u202e"`) {
			t.Errorf("warning does not show the escaped process name: %q", l)
		}
	}
	if strings.ContainsAny(stderr, "\x1b\x07\u202e") {
		t.Errorf("kubectl printed a raw control character: %q", stderr)
	}
}
