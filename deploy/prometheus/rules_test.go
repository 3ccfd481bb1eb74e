// Package prometheus holds netpol-advisor's Prometheus alert rules
// (netpol-advisor.rules.yaml) and their promtool unit tests; this test runs
// them with the real promtool so that `go test ./...` covers them.
package prometheus

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

func promtool(t *testing.T, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		testutil.SkipOrFail(t, "promtool is not installed (Debian package prometheus; hack/install-deps.sh installs it)")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestRules checks the rules file and runs its unit tests, each alert
// firing and not firing.
func TestRules(t *testing.T) {
	promtool(t, "check", "rules", "netpol-advisor.rules.yaml")
	promtool(t, "test", "rules", "netpol-advisor.rules.test.yaml")
}

// TestEveryAlertIsUnitTested: an alert added to the rules without a test
// fails here.
func TestEveryAlertIsUnitTested(t *testing.T) {
	rules, tests := readAlerts(t, "netpol-advisor.rules.yaml"), readTestedAlerts(t, "netpol-advisor.rules.test.yaml")
	for _, a := range rules {
		if tests[a].firing == 0 || tests[a].silent == 0 {
			t.Errorf("alert %s: %d firing and %d not-firing unit tests, want at least one of each", a, tests[a].firing, tests[a].silent)
		}
	}
	if len(rules) < 8 {
		t.Errorf("%d alerts in the rules file, want the 8 of the issue", len(rules))
	}
}
