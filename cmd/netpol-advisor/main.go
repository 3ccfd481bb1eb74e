// Command netpol-advisor is the CLI (and, named kubectl-netpol_advisor,
// the kubectl plugin): baselines, topologies, recommended policies and
// checks, read through the Kubernetes API server.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/netpol-advisor/netpol-advisor/internal/cli"
)

// version is stamped by the Makefile (-X main.version=…).
var version = "dev"

func main() { os.Exit(run()) }

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, noColour := os.LookupEnv("NO_COLOR")
	cmd := cli.NewCommand(cli.Options{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, NoColour: noColour, Version: version})
	err := cmd.ExecuteContext(ctx)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, cli.ErrBlocks):
		fmt.Fprintln(os.Stderr, "netpol-advisor:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	return 2
}
