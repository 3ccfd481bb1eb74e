// Command observer is netpol-advisor's node agent. It loads the eBPF
// programs of package observer and either ships what it sees to the server
// (the DaemonSet's mode) or prints it:
//
//	observer run --node-name $NODE --server https://netpol-advisor.netpol-advisor.svc:8443
//	observer flows --interval 2s
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: observer <mode> [flags]

modes:
  run     observe this node and ship its flows to the server (observer run --help)
  flows   print the flows seen on this machine (observer flows --help)
  version print the version and commit
`

// run dispatches to a mode and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	switch args[0] {
	case "run":
		return runShip(ctx, args[1:], stderr)
	case "flows":
		return runFlows(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		printVersion(stdout)
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown mode %q\n%s", args[0], usage)
	return 2
}

func newLogger(w io.Writer, debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
