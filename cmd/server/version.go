package main

import (
	"fmt"
	"io"
	"runtime"
)

// version and commit are stamped by the Makefile
// (-X main.version=... -X main.commit=...); a plain go build says dev.
var (
	version = "dev"
	commit  = "unknown"
)

// printVersion writes what `server version` and `server --version` print.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "netpol-advisor server %s (commit %s, %s %s/%s)\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
