package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// flowsConfig is the flows mode's configuration: the shared one plus the
// output format.
type flowsConfig struct {
	Config
	Format string
}

func (c *flowsConfig) AddFlags(fs *pflag.FlagSet) {
	c.Config.AddFlags(fs)
	fs.StringVar(&c.Format, "format", c.Format, "output format: text or json (one observation per line)")
}

func (c flowsConfig) Validate() error {
	if c.Format != "text" && c.Format != "json" {
		return fmt.Errorf("--format %q: want text or json", c.Format)
	}
	return c.Config.Validate()
}

// runFlows prints what the observer sees until ctx ends.
func runFlows(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := flowsConfig{Config: DefaultConfig(), Format: "text"}
	fs := pflag.NewFlagSet("observer flows", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	log := newLogger(stderr, cfg.Debug)
	if err := cfg.Validate(); err != nil {
		log.Error("invalid configuration", "err", err)
		return 2
	}
	if err := printFlows(ctx, cfg, stdout, stderr); err != nil {
		log.Error("observer stopped", "err", err)
		return 1
	}
	return 0
}

func printFlows(ctx context.Context, cfg flowsConfig, stdout, stderr io.Writer) error {
	o, err := observer.Open(cfg.observer(newLogger(stderr, cfg.Debug)))
	if err != nil {
		return err
	}
	defer o.Close()
	fmt.Fprintf(stderr, "observer: watching with %s\n", strings.Join(o.Hooks(), ", "))
	write := writeJSON
	if cfg.Format == "text" {
		pods, err := cgroups.NewResolver(cfg.CgroupPath, cgroups.Options{})
		if err != nil {
			return err
		}
		write = textWriter{pods}.write
	}
	err = o.Read(ctx, cfg.Interval, func(obs []flow.Observation) error { return write(stdout, obs) })
	if s, serr := o.Stats(); serr == nil {
		fmt.Fprintf(stderr, "observer: %s\n", statsLine(s))
	}
	return err
}

// statsLine prints every counter of s.
func statsLine(s observer.Stats) string {
	parts := make([]string, 0, len(s.Counters()))
	for _, c := range s.Counters() {
		parts = append(parts, fmt.Sprintf("%s %d", c.Name, c.Value))
	}
	return strings.Join(parts, ", ")
}

// textWriter prints one line per observation, naming the local pod by UID
// when the socket's cgroup is a pod's.
type textWriter struct{ pods *cgroups.Resolver }

func (tw textWriter) write(w io.Writer, obs []flow.Observation) error {
	for _, o := range obs {
		pod := "-"
		if uid, ok := tw.pods.PodUID(o.CgroupID); ok {
			pod = uid
		}
		if _, err := fmt.Fprintf(w, "%s %-7s %s %s -> %s port %d pod %s cgroup %d process %s count %d failed %d%s\n",
			o.LastSeen.Format("15:04:05.000"), o.Direction, o.Protocol, o.Client, o.Server, o.ServerPort,
			pod, o.CgroupID, cmp.Or(flow.SanitizeProcess(o.Process), "-"), o.Count, o.Failed, failures(o)); err != nil {
			return fmt.Errorf("write flows: %w", err)
		}
	}
	return nil
}

// failures says why connects failed, when they did.
func failures(o flow.Observation) string {
	if o.Failed == 0 {
		return ""
	}
	return fmt.Sprintf(" (refused %d, timed out %d, unreachable %d)", o.Refused, o.TimedOut, o.Unreachable)
}

func writeJSON(w io.Writer, obs []flow.Observation) error {
	enc := json.NewEncoder(w)
	for _, o := range obs {
		if err := enc.Encode(o); err != nil {
			return fmt.Errorf("write flows: %w", err)
		}
	}
	return nil
}
