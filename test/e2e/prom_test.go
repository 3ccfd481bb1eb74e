package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// rulesFile is the shipped alert rules, relative to this package.
const rulesFile = "../../deploy/prometheus/netpol-advisor.rules.yaml"

// promServer is a real Prometheus server (Debian's binary) the test
// started on loopback.
type promServer struct {
	url string
	hc  *http.Client
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
	p := &promServer{url: "http://" + addr, hc: &http.Client{Timeout: 5 * time.Second}}
	waitFor(t, time.Minute, "prometheus ready", func() (bool, string) {
		resp, err := p.hc.Get(p.url + "/-/ready")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
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
	var f struct {
		Groups []map[string]any `json:"groups"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("decode %s: %v", rulesFile, err)
	}
	for _, g := range f.Groups {
		rules, _ := g["rules"].([]any)
		for _, r := range rules {
			if m, ok := r.(map[string]any); ok && m["for"] != nil {
				m["for"] = d
			}
		}
	}
	out, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sample is one series of an instant query.
type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func (s sample) value() string { v, _ := s.Value[1].(string); return v }

// query runs an instant query through the HTTP API.
func (p *promServer) query(q string) ([]sample, error) {
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []sample `json:"result"`
		} `json:"data"`
	}
	if err := p.get("/api/v1/query?query="+url.QueryEscape(q), &r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, r.Error)
	}
	return r.Data.Result, nil
}

// alert is one alert of the HTTP API.
type alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

func (p *promServer) alerts() ([]alert, error) {
	var r struct {
		Data struct {
			Alerts []alert `json:"alerts"`
		} `json:"data"`
	}
	err := p.get("/api/v1/alerts", &r)
	return r.Data.Alerts, err
}

func (p *promServer) get(path string, v any) error {
	resp, err := p.hc.Get(p.url + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

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
