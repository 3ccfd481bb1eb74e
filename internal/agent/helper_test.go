package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netpol-advisor/netpol-advisor/internal/agent"
	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// helperEnv makes the test binary run as an observer process (for the
// fault test, which must SIGKILL a real process).
const helperEnv = "NETPOL_ADVISOR_TEST_OBSERVER"

func TestMain(m *testing.M) {
	if raw := os.Getenv(helperEnv); raw != "" {
		os.Exit(runObserver(raw))
	}
	os.Exit(m.Run())
}

// helperConfig is what the fault test passes to an observer process.
type helperConfig struct {
	Agent    agent.Config
	LocalIP  string
	StopFile string
	PerDrain int
	// LongProcessEvery gives every nth observation a process name longer
	// than the server accepts (0: none).
	LongProcessEvery int
	// BurstAt makes drain number BurstAt (from 1) give BurstSize
	// observations instead of PerDrain (0: never).
	BurstAt, BurstSize int
}

func runObserver(raw string) int {
	var hc helperConfig
	if err := json.Unmarshal([]byte(raw), &hc); err != nil {
		fmt.Fprintln(os.Stderr, "helper config:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := &generator{local: netip.MustParseAddr(hc.LocalIP), stopFile: hc.StopFile, per: hc.PerDrain,
		longEvery: hc.LongProcessEvery, burstAt: hc.BurstAt, burstSize: hc.BurstSize}
	if err := agent.Run(ctx, hc.Agent, src, log, prometheus.NewRegistry()); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		return 1
	}
	return 0
}

// generator stands in for the kernel: every drain gives per connections
// (count 1 each) from the local pod to an external host, on rotating ports,
// until the stop file exists. It prints what each drain gave.
type generator struct {
	local              netip.Addr
	stopFile           string
	per                int
	longEvery          int
	burstAt, burstSize int
	drains             int
	n                  atomic.Uint64
}

func (g *generator) Drain() ([]flow.Observation, error) {
	if _, err := os.Stat(g.stopFile); err == nil {
		return nil, nil
	}
	now := time.Now().UTC()
	g.drains++
	n := g.per
	if g.drains == g.burstAt {
		n = g.burstSize
	}
	out := make([]flow.Observation, n)
	for i := range out {
		seq := g.n.Add(1)
		port := 1024 + uint16(seq%50)
		process := "loadgen"
		if g.longEvery > 0 && seq%uint64(g.longEvery) == 0 {
			process = strings.Repeat("long-process-name-", 5)
		}
		out[i] = flow.Observation{LocalIP: g.local, Direction: flow.Egress, Client: g.local,
			Server: netip.MustParseAddr("203.0.113.7"), ServerPort: port, Protocol: "TCP", Process: process,
			Count: 1, FirstSeen: now, LastSeen: now}
	}
	fmt.Printf("drained %d\n", len(out))
	return out, nil
}
