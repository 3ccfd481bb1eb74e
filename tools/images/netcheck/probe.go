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
	target := flags.Arg(0)
	conn, err := net.DialTimeout(proto, target, *timeout)
	if err != nil {
		return fmt.Errorf("dial %s %s: %w", proto, target, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(*timeout)); err != nil {
		return fmt.Errorf("set deadline: %w", err)
	}
	if proto == "udp" {
		if _, err := conn.Write([]byte("ping\n")); err != nil {
			return fmt.Errorf("send to %s: %w", target, err)
		}
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read answer from %s %s: %w", proto, target, err)
	}
	fmt.Print(line)
	return nil
}

// resolve prints every address the resolver (the pod's /etc/resolv.conf,
// so cluster DNS) returns for the name.
func resolve(args []string) error {
	if len(args) != 1 {
		return errors.New("want one NAME")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, args[0])
	if err != nil {
		return fmt.Errorf("resolve %s: %w", args[0], err)
	}
	for _, a := range addrs {
		fmt.Println(a)
	}
	return nil
}
