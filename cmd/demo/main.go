// Command demo is `make demo`: the story of DESIGN.md told on the real
// single-node cluster, for the app in demo/apps/$DEMO_APP (default story).
//
//	DEMO_APP=ledger   another app folder under demo/apps
//	DEMO_KEEP=1       leave the cluster running at the end
//	DEMO_PAUSE=0      no pauses between steps (there are none without a terminal)
//
// It runs as root (the cluster's bridge, nftables and containers).
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/netpol-advisor/netpol-advisor/internal/demo"
)

func main() { os.Exit(run()) }

func run() int {
	cfg := defaults()
	cfg.AddFlags(pflag.CommandLine)
	pflag.Parse()
	dc, err := cfg.demoConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	if _, err := demo.Run(ctx, dc); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed after %s: %v\n", time.Since(start).Round(time.Second), err)
		return 1
	}
	fmt.Printf("\ndemo finished in %s\n", time.Since(start).Round(time.Second))
	return 0
}

// pauser waits for Enter before each step.
func pauser(title string) {
	fmt.Printf("\n-- next: %s -- press Enter (DEMO_PAUSE=0 runs without pauses) ", title)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
