package testutil

import (
	"os"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where a test that cannot
// run its real part must fail instead of skipping.
func InCI() bool { return os.Getenv("CI") == "true" }

// SkipOrFail skips the test with reason outside CI and fails it in CI.
func SkipOrFail(t testing.TB, reason string) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true and this test cannot run its real part: %s", reason)
	}
	t.Skip(reason)
}

// RequireRoot gates privileged tests (eBPF, network namespaces, cgroups).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(t, "needs root (eBPF, network namespaces and cgroups): run `sudo make test`")
	}
}
