package main

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/pflag"

	"github.com/netpol-advisor/netpol-advisor/internal/agent"
	"github.com/netpol-advisor/netpol-advisor/internal/metricsserver"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// shipConfig is the run mode's configuration: the BPF side, the agent that
// ships to the server, and the metrics endpoint. The agent's
// --drain-interval paces the kernel drains in this mode.
type shipConfig struct {
	BPF         Config
	Agent       agent.Config
	MetricsAddr string
}

func defaultShipConfig() shipConfig {
	return shipConfig{BPF: DefaultConfig(), Agent: agent.DefaultConfig(), MetricsAddr: ":9091"}
}

func (c *shipConfig) AddFlags(fs *pflag.FlagSet) {
	c.Agent.AddFlags(fs)
	fs.Uint32Var(&c.BPF.MaxFlows, "max-flows", c.BPF.MaxFlows, "size of the kernel's flow table between two drains (0: 65536)")
	fs.StringVar(&c.BPF.CgroupPath, "cgroup", c.BPF.CgroupPath, "cgroup v2 directory whose sockets' UDP is watched (default: the hierarchy's root)")
	fs.BoolVar(&c.BPF.Debug, "debug", c.BPF.Debug, "log at debug level")
	fs.StringVar(&c.MetricsAddr, "metrics-listen", c.MetricsAddr, "address of the plain-HTTP Prometheus /metrics endpoint (empty: off)")
}

func (c shipConfig) Validate() error {
	return errors.Join(c.Agent.Validate(), c.BPF.observer(nil).Validate())
}

// runShip observes this node and ships its flows to the server until ctx ends.
func runShip(ctx context.Context, args []string, stderr io.Writer) int {
	cfg := defaultShipConfig()
	fs := pflag.NewFlagSet("observer run", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	log := newLogger(stderr, cfg.BPF.Debug)
	if err := cfg.Validate(); err != nil {
		log.Error("invalid configuration", "err", err)
		return 2
	}
	if err := ship(ctx, cfg, log); err != nil {
		log.Error("observer stopped", "err", err)
		return 1
	}
	return 0
}

func ship(ctx context.Context, cfg shipConfig, log *slog.Logger) error {
	o, err := observer.Open(cfg.BPF.observer(log))
	if err != nil {
		return err
	}
	defer o.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), observer.NewCollector(o))
	if cfg.MetricsAddr != "" {
		if err := metricsserver.Start(ctx, cfg.MetricsAddr, reg, log); err != nil {
			return err
		}
	}
	err = agent.Run(ctx, cfg.Agent, o, log, reg)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil // stopped by SIGTERM or SIGINT: a clean exit, status 0
	}
	return err
}
