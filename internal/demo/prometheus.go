package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// alertFor replaces every `for:` of the shipped rules, so the alerts fire
// at demo speed rather than after ten minutes.
const alertFor = "5s"

// prometheus is Debian's Prometheus server, started on the host's loopback,
// scraping the installed server through the cluster bridge and evaluating
// the product's alert rules.
type prometheus struct {
	url string
	cmd *exec.Cmd
	hc  *http.Client
}

// startPrometheus writes the config (the server pod's metrics port as the
// target, the rules with a short for:) and starts Prometheus.
func (d *Demo) startPrometheus(ctx context.Context) error {
	out, err := d.kubectl(ctx, "-n", productNS, "get", "pod", "-l", "app.kubernetes.io/instance="+release+",app.kubernetes.io/component=server",
		"-o", "jsonpath={.items[0].status.podIP}")
	if err != nil || strings.TrimSpace(out.stdout) == "" {
		return fmt.Errorf("find the server pod's address for Prometheus: %v", err)
	}
	dir := filepath.Join(d.cfg.OutDir, "prometheus")
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear Prometheus' folder: %w", err)
	}
	config, err := d.writePromConfig(dir, strings.TrimSpace(out.stdout)+":9090")
	if err != nil {
		return err
	}
	addr, err := freeLoopback()
	if err != nil {
		return err
	}
	cmd := exec.Command(d.cfg.Prometheus, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		return fmt.Errorf("create Prometheus' log: %w", err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start prometheus: %w", err)
	}
	d.prom = &prometheus{url: "http://" + addr, cmd: cmd, hc: &http.Client{Timeout: 5 * time.Second}}
	d.onClose(func(context.Context) error { log.Close(); return d.prom.stop() })
	d.p.step("", "Starting Prometheus (Debian's prometheus) on the host")
	d.p.info("scraping the server at %s through the cluster bridge, with the product's alert rules "+
		"(deploy/prometheus, every for: set to %s); its page: %s", out.stdout, alertFor, d.prom.url)
	return d.waitFor(ctx, "Prometheus to be ready", d.prom.ready)
}

func (d *Demo) writePromConfig(dir, target string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make Prometheus' folder: %w", err)
	}
	rules, err := shortenedRules(filepath.Join(d.cfg.Root, "deploy", "prometheus", "netpol-advisor.rules.yaml"))
	if err != nil {
		return "", err
	}
	rulesFile := filepath.Join(dir, "rules.yaml")
	cfg, err := yaml.Marshal(map[string]any{
		"global":     map[string]any{"scrape_interval": "2s", "evaluation_interval": "2s", "scrape_timeout": "1s"},
		"rule_files": []string{rulesFile},
		"scrape_configs": []map[string]any{{"job_name": "netpol-advisor-server",
			"static_configs": []map[string]any{{"targets": []string{target}}}}},
	})
	if err != nil {
		return "", fmt.Errorf("encode Prometheus' config: %w", err)
	}
	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(rulesFile, rules, 0o644); err != nil {
		return "", fmt.Errorf("write the rules: %w", err)
	}
	if err := os.WriteFile(config, cfg, 0o644); err != nil {
		return "", fmt.Errorf("write Prometheus' config: %w", err)
	}
	return config, nil
}

// shortenedRules is the shipped rules file with every `for:` set to alertFor.
func shortenedRules(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the alert rules: %w", err)
	}
	var f struct {
		Groups []map[string]any `json:"groups"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	for _, g := range f.Groups {
		rules, _ := g["rules"].([]any)
		for _, r := range rules {
			if m, ok := r.(map[string]any); ok && m["for"] != nil {
				m["for"] = alertFor
			}
		}
	}
	return yaml.Marshal(f)
}

func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port for Prometheus: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (p *prometheus) stop() error {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	return nil
}

func (p *prometheus) ready() error {
	resp, err := p.hc.Get(p.url + "/-/ready")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/-/ready: %s", resp.Status)
	}
	return nil
}

func (p *prometheus) get(path string, v any) error {
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

// Series is one series of an instant query.
type Series struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// Alert is one alert of /api/v1/alerts.
type Alert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func (p *prometheus) query(q string) ([]Series, error) {
	var r struct {
		Status, Error string
		Data          struct {
			Result []Series `json:"result"`
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

func (p *prometheus) alerts() ([]Alert, error) {
	var r struct {
		Data struct {
			Alerts []Alert `json:"alerts"`
		} `json:"data"`
	}
	err := p.get("/api/v1/alerts", &r)
	return r.Data.Alerts, err
}
