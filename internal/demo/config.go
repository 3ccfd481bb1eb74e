package demo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Config is what a demo run needs; cmd/demo fills it from flags and the
// environment, the end-to-end test from its harness.
type Config struct {
	// Root is the module's root: hack/cluster, charts, deploy, demo/apps.
	Root string
	// Apps are the app folders to tell, one after the other.
	Apps []string
	// ClusterDir is hack/cluster's run folder (kubeconfig, volumes).
	ClusterDir string
	// ClusterRunning: the caller brought the cluster up (and holds its
	// lock); the demo neither starts nor stops it.
	ClusterRunning bool
	// Keep leaves the cluster running at the end (DEMO_KEEP=1).
	Keep bool
	// CLI, Helm, Prometheus and Netcheck are the programs' paths.
	CLI, Helm, Prometheus, Netcheck string
	// CgroupRoot is the host's cgroup2 mount, the observers' hostCgroupRoot.
	CgroupRoot string
	// OutDir receives the SVG map and the applied policies.
	OutDir string
	// Wait bounds each wait for the cluster or the product to get somewhere.
	Wait time.Duration
	// Pause, when set, is called before each step with its title.
	Pause func(title string)
	Out   io.Writer
	Color bool
}

// Kubeconfig is the cluster's admin kubeconfig.
func (c *Config) Kubeconfig() string { return filepath.Join(c.ClusterDir, "kubeconfig") }

// Scripts is hack/cluster.
func (c *Config) Scripts() string { return filepath.Join(c.Root, "hack", "cluster") }

// Validate says what is missing and how to get it.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Apps) == 0 {
		errs = append(errs, errors.New("no app to tell: give an app folder (DEMO_APP=story)"))
	}
	for name, path := range map[string]string{"the netpol-advisor CLI (make cli)": c.CLI,
		"helm (make helm)": c.Helm, "netcheck (make cluster-images)": c.Netcheck,
		"prometheus (apt-get install prometheus)": c.Prometheus} {
		if _, err := os.Stat(path); path == "" || err != nil {
			errs = append(errs, fmt.Errorf("missing %s at %q", name, path))
		}
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Wait == 0 {
		c.Wait = 3 * time.Minute
	}
	return errors.Join(errs...)
}
