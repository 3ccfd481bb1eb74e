package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// serve answers each TCP connection with one line naming this host, and each
// UDP datagram with the same line, until SIGTERM.
func serve(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	tcpAddr := flags.String("tcp", ":8080", "TCP listen address")
	udpAddr := flags.String("udp", ":8081", "UDP listen address")
	if err := flags.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *tcpAddr)
	if err != nil {
		return fmt.Errorf("listen tcp %s: %w", *tcpAddr, err)
	}
	pc, err := net.ListenPacket("udp", *udpAddr)
	if err != nil {
		ln.Close()
		return fmt.Errorf("listen udp %s: %w", *udpAddr, err)
	}
	go serveTCP(ln)
	go serveUDP(pc)
	fmt.Printf("serving tcp %s udp %s\n", ln.Addr(), pc.LocalAddr())
	<-ctx.Done()
	ln.Close()
	pc.Close()
	return nil
}

func greeting(proto string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("hello over %s from %s\n", proto, host)
}

func serveTCP(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			w := bufio.NewWriter(conn)
			_, _ = w.WriteString(greeting("tcp"))
			_ = w.Flush()
		}()
	}
}

func serveUDP(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		_, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		_, _ = pc.WriteTo([]byte(greeting("udp")), from)
	}
}
