package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/demo"
)

// Config is the demo's command line; the defaults come from the
// environment make demo sets (DEMO_*, NETPOL_ADVISOR_*).
type Config struct {
	App, Root, ClusterDir, OutDir   string
	CLI, Helm, Prometheus, Netcheck string
	Keep, Pause                     bool
	Wait                            time.Duration
}

func defaults() Config {
	home, _ := os.UserHomeDir()
	prom, _ := exec.LookPath("prometheus")
	images := env("NETPOL_ADVISOR_CLUSTER_IMAGES", "bin/cluster-images")
	return Config{
		App:        env("DEMO_APP", "story"),
		Root:       ".",
		ClusterDir: env("NETPOL_ADVISOR_CLUSTER_DIR", "/var/lib/netpol-advisor-cluster"),
		OutDir:     env("DEMO_OUT", "/tmp/netpol-advisor-demo"),
		CLI:        "bin/netpol-advisor",
		Helm:       env("NETPOL_ADVISOR_HELM", filepath.Join(home, ".cache/netpol-advisor/helm-v3.22.0/helm")),
		Prometheus: prom,
		Netcheck:   filepath.Join(images, "bin", "netcheck"),
		Keep:       os.Getenv("DEMO_KEEP") == "1",
		Pause:      os.Getenv("DEMO_PAUSE") != "0",
		Wait:       3 * time.Minute,
	}
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// AddFlags registers the flags.
func (c *Config) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.App, "app", c.App, "the app: a folder under demo/apps, or a path (DEMO_APP)")
	fs.StringVar(&c.Root, "root", c.Root, "the repository's root")
	fs.StringVar(&c.OutDir, "out", c.OutDir, "where the map, the policies and Prometheus' data go (DEMO_OUT)")
	fs.StringVar(&c.CLI, "cli", c.CLI, "the netpol-advisor CLI (make cli)")
	fs.StringVar(&c.Helm, "helm", c.Helm, "helm (make helm)")
	fs.StringVar(&c.Prometheus, "prometheus", c.Prometheus, "Debian's prometheus server")
	fs.StringVar(&c.Netcheck, "netcheck", c.Netcheck, "the host-side netcheck (make cluster-images)")
	fs.BoolVar(&c.Keep, "keep", c.Keep, "leave the cluster running at the end (DEMO_KEEP=1)")
	fs.BoolVar(&c.Pause, "pause", c.Pause, "pause between steps when on a terminal (DEMO_PAUSE=0: never)")
	fs.DurationVar(&c.Wait, "wait", c.Wait, "give up waiting for one thing after this long")
}

// demoConfig checks the command line and turns it into the engine's Config.
func (c *Config) demoConfig() (demo.Config, error) {
	if os.Geteuid() != 0 {
		return demo.Config{}, errors.New("needs root (the cluster's bridge, nftables, containers): run sudo make demo")
	}
	root, err := filepath.Abs(c.Root)
	if err != nil {
		return demo.Config{}, err
	}
	app := c.App
	if _, err := os.Stat(filepath.Join(root, "demo", "apps", app)); err == nil {
		app = filepath.Join(root, "demo", "apps", app)
	}
	cgroup2, err := cgroups.V2Mount()
	if err != nil {
		return demo.Config{}, fmt.Errorf("the observer needs the host's cgroup2 mount: %w", err)
	}
	tty := isTerminal(os.Stdout)
	dc := demo.Config{Root: root, Apps: []string{app}, ClusterDir: c.ClusterDir, Keep: c.Keep,
		CLI: abs(c.CLI), Helm: c.Helm, Prometheus: c.Prometheus, Netcheck: abs(c.Netcheck),
		CgroupRoot: cgroup2, OutDir: c.OutDir, Wait: c.Wait, Out: os.Stdout, Color: tty && os.Getenv("NO_COLOR") == ""}
	if c.Pause && tty && isTerminal(os.Stdin) {
		dc.Pause = pauser
	}
	return dc, dc.Validate()
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
