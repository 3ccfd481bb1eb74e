package observer_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// openAsHelper opens an observer and reports how that went: exit 3 for
// ErrPermission, 1 for another error, 0 for success.
func openAsHelper() int {
	o, err := observer.Open(observer.Config{})
	if err == nil {
		o.Close()
		return 0
	}
	fmt.Fprintln(os.Stderr, err)
	if errors.Is(err, observer.ErrPermission) {
		return 3
	}
	return 1
}

// TestOpenWithoutPrivilegesSaysWhatToDo opens the observer as an
// unprivileged user (nobody), as a user trying it without sudo would.
func TestOpenWithoutPrivilegesSaysWhatToDo(t *testing.T) {
	testutil.RequireRoot(t)
	bin := copyExecutable(t)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "open")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("open as nobody: %v, want exit 3 (ErrPermission); stderr: %s", err, stderr.String())
	}
	for _, want := range []string{"CAP_BPF", "run it as root"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("error %q does not mention %q", stderr.String(), want)
		}
	}
}

// copyExecutable copies the test binary where nobody may run it.
func copyExecutable(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(dir, "observer-test")
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}
