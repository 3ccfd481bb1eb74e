package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/promapi"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// rulesFile is the shipped alert rules, relative to this package.
const rulesFile = "../../deploy/prometheus/netpol-advisor.rules.yaml"

// promServer is a real Prometheus server (Debian's binary) the test
// started on loopback.
type promServer struct {
	url string
	api *promapi.Client
}

// startPrometheus runs Prometheus scraping each job's target every second
// and evaluating a copy of the shipped rules every second, with every
// `for:` shortened to forDur so that alerts fire within the test.
func startPrometheus(t *testing.T, targets map[string]string, forDur string) *promServer {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		testutil.SkipOrFail(t, "the prometheus server is not installed (Debian package prometheus; hack/install-deps.sh installs it)")
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	testutil.WriteFile(t, rules, shortenedRules(t, forDur))
	var scrape []map[string]any
	for job, addr := range targets {
		scrape = append(scrape, map[string]any{"job_name": job, "static_configs": []map[string]any{{"targets": []string{addr}}}})
	}
	cfg, err := yaml.Marshal(map[string]any{
		"global":         map[string]any{"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "900ms"},
		"rule_files":     []string{rules},
		"scrape_configs": scrape,
	})
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "prometheus.yml")
	testutil.WriteFile(t, config, cfg)
	addr := testutil.FreeAddr(t)
	start(t, "prometheus", bin, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	p := &promServer{url: "http://" + addr, api: promapi.New("http://" + addr)}
	waitFor(t, time.Minute, "prometheus ready", func() (bool, string) {
		if err := p.api.Ready(); err != nil {
			return false, err.Error()
		}
		return true, ""
	})
	return p
}

// shortenedRules is the shipped rules file with every `for:` set to d.
func shortenedRules(t *testing.T, d string) []byte {
	t.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	out, err := promapi.ShortenFor(data, d)
	if err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	return out
}

func (p *promServer) query(q string) ([]promapi.Sample, error) { return p.api.Query(q) }

func (p *promServer) alerts() ([]promapi.Alert, error) { return p.api.Alerts() }

// waitFor polls cond until it holds, failing the test with cond's last
// explanation after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	var why string
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		var ok bool
		if ok, why = cond(); ok {
			return
		}
	}
	t.Fatalf("%s: not within %v: %s", what, timeout, why)
}
