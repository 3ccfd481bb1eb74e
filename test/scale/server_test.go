package scale

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	dto "github.com/prometheus/client_model/go"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// server is the real server binary run as the chart runs it, against the
// benchmark's API server, with webhooks and the aggregated API on.
type server struct {
	bin, dataDir         string
	args                 []string
	listen, metrics      string
	webhookPort, apiPort int
	https                *http.Client
	cmd                  *exec.Cmd
	stderr               *testutil.SyncBuffer
	done                 chan struct{}
}

// buildServer compiles cmd/server from the checkout, so the benchmark
// measures the committed code.
func buildServer(tb testing.TB) string {
	bin := filepath.Join(tb.TempDir(), "server")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/netpol-advisor/netpol-advisor/cmd/server").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build cmd/server: %v\n%s", err, out)
	}
	return bin
}

func newServer(tb testing.TB, bin, kubeconfig, dataDir string, ca *testutil.CA, extra ...string) *server {
	cert, key := ca.Issue(tb, "serving", "netpol-advisor", []string{"netpol-advisor-api.netpol-advisor.svc"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	s := &server{bin: bin, dataDir: dataDir, listen: testutil.FreeAddr(tb), metrics: testutil.FreeAddr(tb),
		webhookPort: testutil.FreePort(tb), apiPort: testutil.FreePort(tb), https: testutil.TrustingClient(tb, ca.CertFile)}
	s.args = append([]string{"--listen", s.listen, "--metrics-listen", s.metrics, "--tls-cert-file", cert, "--tls-key-file", key,
		"--kubeconfig", kubeconfig, "--data-dir", dataDir, "--pod-cidr", "198.18.0.0/16",
		"--webhook-port", strconv.Itoa(s.webhookPort), "--webhook-cert-dir", filepath.Join(tb.TempDir(), "webhook-certs"),
		"--api-listen", fmt.Sprintf("127.0.0.1:%d", s.apiPort)}, extra...)
	return s
}

// start runs the server and returns how long it took to become ready
// (/readyz: store, informer caches, webhook certificate in place).
func (s *server) start(tb testing.TB, timeout time.Duration) time.Duration {
	tb.Helper()
	s.stderr, s.done = &testutil.SyncBuffer{}, make(chan struct{})
	s.cmd = exec.Command(s.bin, s.args...)
	s.cmd.Stdout, s.cmd.Stderr = s.stderr, s.stderr
	begin := time.Now()
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start the server: %v", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	tb.Cleanup(func() { s.stop(tb) })
	for deadline := begin.Add(timeout); ; time.Sleep(100 * time.Millisecond) {
		select {
		case <-s.done:
			tb.Fatalf("the server exited before it was ready:\n%s", tail(s.stderr.String()))
		default:
		}
		if s.ready() {
			return time.Since(begin)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the server was not ready within %s:\n%s", timeout, tail(s.stderr.String()))
		}
	}
}

func (s *server) ready() bool {
	resp, err := s.https.Get("https://" + s.listen + "/readyz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop sends SIGTERM, as the kubelet does, and waits for the exit.
func (s *server) stop(tb testing.TB) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		<-s.done
		tb.Errorf("the server was still running a minute after SIGTERM")
	}
	s.cmd = nil
}

// rss is the server process's resident memory, its peak and the part of it
// that maps files (Badger's tables and value log), in bytes.
func (s *server) rss(tb testing.TB) (now, peak, file float64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		tb.Fatalf("read the server's memory: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			now = kb * 1024
		case "VmHWM:":
			peak = kb * 1024
		case "RssFile:":
			file = kb * 1024
		}
	}
	return now, peak, file
}

// scrape reads the server's /metrics.
func (s *server) scrape(tb testing.TB) map[string]*dto.MetricFamily {
	resp, err := http.Get("http://" + s.metrics + "/metrics")
	if err != nil {
		tb.Fatalf("scrape the server: %v", err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		tb.Fatalf("parse the server's metrics: %v", err)
	}
	return mfs
}

// sum adds the values of name's series whose labels include want.
func sum(mfs map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	var total float64
	for _, m := range mfs[name].GetMetric() {
		if !hasLabels(m, want) {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += m.Histogram.GetSampleSum()
		case m.Untyped != nil:
			total += m.Untyped.GetValue()
		}
	}
	return total
}

// histogramFigures are the mean of the histogram's samples with the
// labels and the upper bound of the bucket holding their 99th percentile
// (-1 s when it lies beyond the last bucket).
func histogramFigures(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (mean, p99 time.Duration) {
	for _, m := range mfs[name].GetMetric() {
		h := m.GetHistogram()
		if h == nil || !hasLabels(m, want) || h.GetSampleCount() == 0 {
			continue
		}
		seconds := func(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }
		mean = seconds(h.GetSampleSum() / float64(h.GetSampleCount()))
		for _, b := range h.GetBucket() { // cumulative, in order of their bounds
			if float64(b.GetCumulativeCount()) >= 0.99*float64(h.GetSampleCount()) {
				return mean, seconds(b.GetUpperBound())
			}
		}
		return mean, -time.Second
	}
	return 0, 0
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok {
			if !strings.HasPrefix(l.GetValue(), v) {
				return false
			}
			n++
		}
	}
	return n == len(want)
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}
