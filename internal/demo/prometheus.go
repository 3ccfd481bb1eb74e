package demo

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/promapi"
)

// alertFor replaces every `for:` of the shipped rules, so the alerts fire
// at demo speed rather than after ten minutes.
const alertFor = "5s"

// prometheus is Debian's Prometheus server, started on the host's loopback,
// scraping the installed server through the cluster bridge and evaluating
// the product's alert rules.
type prometheus struct {
	*promapi.Client
	cmd *exec.Cmd
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
	d.prom = &prometheus{Client: promapi.New("http://" + addr), cmd: cmd}
	if err := d.keepPrometheus(ctx, log); err != nil {
		return err
	}
	d.p.step("", "Starting Prometheus (Debian's prometheus) on the host")
	d.p.info("scraping the server at %s through the cluster bridge, with the product's alert rules "+
		"(deploy/prometheus, every for: set to %s); its page: %s", out.stdout, alertFor, d.prom.URL)
	return d.waitFor(ctx, "Prometheus to be ready", d.prom.Ready)
}

func (d *Demo) writePromConfig(dir, target string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make Prometheus' folder: %w", err)
	}
	shipped, err := os.ReadFile(filepath.Join(d.cfg.Root, "deploy", "prometheus", "netpol-advisor.rules.yaml"))
	if err != nil {
		return "", fmt.Errorf("read the alert rules: %w", err)
	}
	rules, err := promapi.ShortenFor(shipped, alertFor)
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

func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port for Prometheus: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// keepPrometheus arranges Prometheus' end: with DEMO_KEEP=1 it joins the
// cluster's cgroup (make cluster-down stops it) and outlives the demo,
// otherwise the demo stops it.
func (d *Demo) keepPrometheus(ctx context.Context, log *os.File) error {
	if !d.cfg.Keep {
		d.onClose(func(context.Context) error { log.Close(); return d.prom.stop() })
		return nil
	}
	pid := strconv.Itoa(d.prom.cmd.Process.Pid)
	if _, err := d.script(ctx, "ext-host.sh", "adopt", pid); err != nil {
		_ = d.prom.stop()
		log.Close()
		return fmt.Errorf("put Prometheus in the cluster's cgroup, so make cluster-down stops it: %w", err)
	}
	d.onClose(func(context.Context) error { log.Close(); return d.prom.cmd.Process.Release() })
	return nil
}

func (p *prometheus) stop() error {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	return nil
}
