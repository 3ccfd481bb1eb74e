package scale

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// profileSeconds is how long the server is profiled while it answers
// reviews, when SCALE_PROFILE names a directory for the profiles.
const profileSeconds = 20

// profileArgs turns on the server's pprof endpoint when SCALE_PROFILE is
// set; it returns the endpoint's address ("" when off).
func profileArgs(tb testing.TB) (addr string, args []string) {
	if os.Getenv("SCALE_PROFILE") == "" {
		return "", nil
	}
	addr = testutil.FreeAddr(tb)
	return addr, []string{"--pprof-listen", addr}
}

// profileReviews writes a CPU profile of the server taken while it answers
// direct validate reviews, and its heap profile after them, to
// $SCALE_PROFILE/{cpu,heap}-<pods>.pprof.
func (w *world) profileReviews(tb testing.TB, c client.Client, s *server, addr string, pods int) {
	if addr == "" {
		return
	}
	dir := os.Getenv("SCALE_PROFILE")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("SCALE_PROFILE: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- fetchProfile(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, profileSeconds),
			filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", pods)))
	}()
	n := 0
	for end := time.Now().Add(profileSeconds * time.Second); time.Now().Before(end); n += 20 {
		w.direct(tb, c, s, 20)
	}
	if err := <-done; err != nil {
		tb.Fatalf("CPU profile: %v", err)
	}
	if err := fetchProfile("http://"+addr+"/debug/pprof/heap", filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", pods))); err != nil {
		tb.Fatalf("heap profile: %v", err)
	}
	tb.Logf("profiled %d reviews at %d pods into %s", n, pods, dir)
}

func fetchProfile(url, file string) error {
	resp, err := (&http.Client{Timeout: 2 * profileSeconds * time.Second}).Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
