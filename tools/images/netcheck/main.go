// Command netcheck is the test cluster's client/server program:
//
//	netcheck serve [-tcp :8080] [-udp :8081]   answer TCP and UDP with the pod's name
//	netcheck tcp HOST:PORT [-timeout 3s]       connect, print the server's answer
//	netcheck udp HOST:PORT [-timeout 3s]       send one datagram, print the answer
//	netcheck resolve [-server HOST:PORT] NAME  print the addresses NAME resolves to
//	netcheck app [-listen tcp::8443]... [-talk udp:HOST:PORT]... [-every 1s]
//	                                           serve, and talk to each target every interval,
//	                                           printing "ok ..." or "fail ..." per attempt
//
// Probes exit 0 on success and 1 on failure, so `kubectl exec` reports the
// result. It is static and runs on an empty image.
package main

import (
	"fmt"
	"os"
)

const usage = "usage: netcheck serve|tcp|udp|resolve|app ..."

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(args[1:])
	case "tcp", "udp":
		err = probe(args[0], args[1:])
	case "resolve":
		err = resolve(args[1:])
	case "app":
		err = app(args[1:])
	default:
		fmt.Fprintln(os.Stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "netcheck:", err)
		return 1
	}
	return 0
}
