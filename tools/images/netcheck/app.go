package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// endpoint is one -listen or -talk value: "tcp::8443", "udp:ledger-statsd:8125".
type endpoint struct {
	proto, host, port string
}

func (e endpoint) String() string { return e.proto + ":" + net.JoinHostPort(e.host, e.port) }

// parseEndpoint reads PROTO:HOST:PORT; HOST may be empty for -listen.
func parseEndpoint(s string) (endpoint, error) {
	proto, hostPort, ok := strings.Cut(s, ":")
	if !ok || (proto != "tcp" && proto != "udp") {
		return endpoint{}, fmt.Errorf("%q: want tcp:HOST:PORT or udp:HOST:PORT", s)
	}
	i := strings.LastIndex(hostPort, ":")
	if i < 0 || hostPort[i+1:] == "" {
		return endpoint{}, fmt.Errorf("%q: no port", s)
	}
	return endpoint{proto: proto, host: hostPort[:i], port: hostPort[i+1:]}, nil
}

// endpoints is a repeatable flag of endpoints.
type endpoints []endpoint

func (e *endpoints) String() string { return fmt.Sprint(*e) }

func (e *endpoints) Set(s string) error {
	ep, err := parseEndpoint(s)
	if err != nil {
		return err
	}
	*e = append(*e, ep)
	return nil
}

// app is a long-running application: it serves every -listen endpoint and,
// every interval, talks to each -talk target, printing one line per attempt
// ("ok ..." or "fail ...") so that pod logs show connections work or break.
func app(args []string) error {
	flags := flag.NewFlagSet("app", flag.ContinueOnError)
	var listen, talk endpoints
	flags.Var(&listen, "listen", "serve PROTO::PORT (repeatable)")
	flags.Var(&talk, "talk", "every interval, talk to PROTO:HOST:PORT (repeatable)")
	every := flags.Duration("every", time.Second, "interval between rounds of talking")
	timeout := flags.Duration("timeout", 2*time.Second, "give up one attempt after")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if len(listen)+len(talk) == 0 {
		return errors.New("app: give at least one -listen or -talk")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	closers, err := listenAll(listen)
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	if err != nil {
		return err
	}
	talkLoop(ctx, os.Stdout, talk, *every, *timeout)
	return nil
}

// listenAll starts a server per endpoint (the same answers as serve).
func listenAll(listen endpoints) ([]io.Closer, error) {
	var closers []io.Closer
	for _, l := range listen {
		addr := net.JoinHostPort(l.host, l.port)
		if l.proto == "tcp" {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return closers, fmt.Errorf("listen tcp %s: %w", addr, err)
			}
			closers = append(closers, ln)
			go serveTCP(ln)
		} else {
			pc, err := net.ListenPacket("udp", addr)
			if err != nil {
				return closers, fmt.Errorf("listen udp %s: %w", addr, err)
			}
			closers = append(closers, pc)
			go serveUDP(pc)
		}
		fmt.Printf("serving %s\n", l)
	}
	return closers, nil
}

// talkLoop talks to every target each interval until ctx ends, each
// target on its own schedule so that a slow failure (a timeout) does not
// delay the others.
func talkLoop(ctx context.Context, w io.Writer, talk endpoints, every, timeout time.Duration) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, target := range talk {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				line := attempt(ctx, target, timeout)
				mu.Lock()
				fmt.Fprintln(w, line)
				mu.Unlock()
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
	wg.Wait()
	<-ctx.Done()
}

// attempt resolves the target through the pod's DNS (every time, as an
// application without a cache does), connects or sends one datagram, and
// waits for the answer. It returns the line to print.
func attempt(ctx context.Context, target endpoint, timeout time.Duration) string {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, target.host)
	if err != nil {
		return fmt.Sprintf("fail %s: resolve: %v", target, err)
	}
	addr := net.JoinHostPort(addrs[0], target.port)
	answer, err := exchange(ctx, target.proto, addr)
	if err != nil {
		return fmt.Sprintf("fail %s (%s): %v", target, addr, err)
	}
	return fmt.Sprintf("ok %s (%s): %s", target, addr, strings.TrimSpace(answer))
}
