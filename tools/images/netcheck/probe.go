package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"time"
)

// probe connects to HOST:PORT over proto, prints the server's line and fails
// if nothing arrives within the timeout.
func probe(proto string, args []string) error {
	flags := flag.NewFlagSet(proto, flag.ContinueOnError)
	timeout := flags.Duration("timeout", 3*time.Second, "give up after")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return errors.New("want one HOST:PORT")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	line, err := exchange(ctx, proto, flags.Arg(0))
	if err != nil {
		return err
	}
	fmt.Print(line)
	return nil
}

// exchange connects to addr over proto (for UDP: sends one datagram) and
// returns the server's first line; ctx bounds the whole exchange.
func exchange(ctx context.Context, proto, addr string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, proto, addr)
	if err != nil {
		return "", err // net.OpError names the operation and the address
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return "", fmt.Errorf("set deadline: %w", err)
		}
	}
	if proto == "udp" {
		if _, err := conn.Write([]byte("ping\n")); err != nil {
			return "", fmt.Errorf("send to %s: %w", addr, err)
		}
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("read answer from %s %s: %w", proto, addr, err)
	}
	return line, nil
}

// resolve prints every address NAME resolves to: through the pod's
// /etc/resolv.conf (so cluster DNS), or through -server HOST:PORT, which lets
// the host check that CoreDNS answers on the kube-dns ClusterIP.
func resolve(args []string) error {
	flags := flag.NewFlagSet("resolve", flag.ContinueOnError)
	server := flags.String("server", "", "DNS server HOST:PORT instead of /etc/resolv.conf")
	timeout := flags.Duration("timeout", 5*time.Second, "give up after")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return errors.New("want one NAME")
	}
	resolver := net.DefaultResolver
	if *server != "" {
		resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, *server)
		}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	addrs, err := resolver.LookupHost(ctx, flags.Arg(0))
	if err != nil {
		return fmt.Errorf("resolve %s: %w", flags.Arg(0), err)
	}
	for _, a := range addrs {
		fmt.Println(a)
	}
	return nil
}
