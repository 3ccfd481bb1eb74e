package observer_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// modes are the helper programs beyond serve and client, each with its own
// arguments; readyModes print "ready" once set up, as servers do.
var modes = map[string]func(args []string) error{
	"gossip":         gossipMain,
	"stream":         streamMain,
	"roundrobin":     roundRobinMain,
	"reverse-server": reverseServerMain,
	"reverse-client": reverseClientMain,
	"udpfail":        udpFailMain,
	"hopopts":        hopOptsMain,
	"thread":         threadMain,
	"pending":        pendingMain,
}

var readyModes = map[string]bool{"gossip": true, "reverse-server": true}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// gossipMain: "gossip PORT K GOFILE PEER..." binds PORT, says ready, waits
// for GOFILE to exist (every node is bound by then), sends K pings to each
// peer's PORT, acks every ping it gets, and exits once it has K acks and K
// pings from every peer: like serf or memberlist, one socket is both the
// client of its probes and the server of everyone else's.
func gossipMain(args []string) error {
	port, k, goFile, peers := atoi(args[0]), atoi(args[1]), args[2], args[3:]
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{Port: port})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	for _, err := os.Stat(goFile); err != nil; _, err = os.Stat(goFile) {
		time.Sleep(2 * time.Millisecond)
	}
	want := map[string]int{}
	for _, p := range peers {
		want["ping "+p], want["ack "+p] = k, k
	}
	got := map[string]int{}
	_ = pc.SetDeadline(time.Now().Add(5 * time.Second))
	go func() {
		for range k {
			for _, p := range peers {
				_, _ = pc.WriteToUDPAddrPort([]byte("ping"), netip.AddrPortFrom(netip.MustParseAddr(p), uint16(port)))
			}
			time.Sleep(time.Millisecond)
		}
	}()
	buf := make([]byte, 16)
	for !mapsEqual(want, got) {
		n, from, err := pc.ReadFromUDPAddrPort(buf)
		if err != nil {
			return fmt.Errorf("got %v of %v: %w", got, want, err)
		}
		got[string(buf[:n])+" "+from.Addr().String()]++
		if string(buf[:n]) == "ping" {
			if _, err := pc.WriteToUDPAddrPort([]byte("ack"), from); err != nil {
				return err
			}
		}
	}
	// Stay a moment for the peers' last acks to our pings' answers.
	time.Sleep(200 * time.Millisecond)
	return nil
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// streamMain: "stream ADDR N GAP_MS" sends N datagrams from one connected
// socket, GAP_MS apart (so that several drains pass while it runs).
func streamMain(args []string) error {
	c, err := net.Dial("udp", args[0])
	if err != nil {
		return err
	}
	defer c.Close()
	gap := time.Duration(atoi(args[2])) * time.Millisecond
	for range atoi(args[1]) {
		if _, err := c.Write([]byte("data")); err != nil {
			return err
		}
		time.Sleep(gap)
	}
	return nil
}

// roundRobinMain: "roundrobin N ADDR..." sends N rounds of one datagram to
// each address, in turn, from one unconnected socket.
func roundRobinMain(args []string) error {
	c, err := net.ListenUDP("udp4", nil)
	if err != nil {
		return err
	}
	defer c.Close()
	for range atoi(args[0]) {
		for _, a := range args[1:] {
			if _, err := c.WriteToUDPAddrPort([]byte("x"), netip.MustParseAddrPort(a)); err != nil {
				return err
			}
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// reverseServerMain: "reverse-server PORT" waits for a client's first
// datagram, connect()s its socket to that client as iperf3's server does,
// and streams datagrams to it every millisecond until killed; the client's
// keep-alives are read and not answered.
func reverseServerMain(args []string) error {
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{Port: atoi(args[0])})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	buf := make([]byte, 16)
	_, from, err := pc.ReadFromUDPAddrPort(buf)
	if err != nil {
		return err
	}
	if err := connectUDP(pc, from); err != nil {
		return err
	}
	go func() {
		for {
			if _, err := pc.Read(buf); err != nil {
				return
			}
		}
	}()
	for {
		if _, err := pc.Write([]byte("stream")); err != nil && !errors.Is(err, unix.ECONNREFUSED) {
			return err
		}
		time.Sleep(time.Millisecond)
	}
}

func connectUDP(pc *net.UDPConn, to netip.AddrPort) error {
	rc, err := pc.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	err = rc.Control(func(fd uintptr) {
		cerr = unix.Connect(int(fd), &unix.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().Unmap().As4()})
	})
	return errors.Join(err, cerr)
}

// reverseClientMain: "reverse-client ADDR STOPFILE KEEPALIVE_MS" starts a
// reverse stream from ADDR, reads it and sends a keep-alive every
// KEEPALIVE_MS until STOPFILE exists (10 s at most).
func reverseClientMain(args []string) error {
	c, err := net.Dial("udp", args[0])
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Write([]byte("start")); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 16)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	every := time.Duration(atoi(args[2])) * time.Millisecond
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
		time.Sleep(every)
		if _, err := c.Write([]byte("keepalive")); err != nil {
			return err
		}
		if _, err := os.Stat(args[1]); err == nil {
			break
		}
	}
	_ = c.SetReadDeadline(time.Now()) // stop reading
	wg.Wait()
	return nil
}

// udpFailMain: "udpfail ADDR [N]" sends N (default 1) datagrams from one
// connected socket to a closed or rejecting port and expects the ICMP
// error of each: port unreachable (ECONNREFUSED) or administratively
// prohibited (EHOSTUNREACH, EACCES).
func udpFailMain(args []string) error {
	c, err := net.Dial("udp", args[0])
	if err != nil {
		return err
	}
	defer c.Close()
	n := 1
	if len(args) > 1 {
		n = atoi(args[1])
	}
	for range n {
		if _, err := c.Write([]byte("anyone?")); err != nil {
			return err
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err = c.Read(make([]byte, 16))
		if !errors.Is(err, unix.ECONNREFUSED) && !errors.Is(err, unix.EHOSTUNREACH) && !errors.Is(err, unix.EACCES) {
			return fmt.Errorf("read after sending to a closed port: %v, want an ICMP error", err)
		}
	}
	return nil
}

// hopOptsMain: "hopopts ADDR N" sends N datagrams over IPv6 with a
// hop-by-hop options header (one PadN option) before the UDP header.
func hopOptsMain(args []string) error {
	c, err := net.Dial("udp6", args[0])
	if err != nil {
		return err
	}
	defer c.Close()
	rc, err := c.(*net.UDPConn).SyscallConn()
	if err != nil {
		return err
	}
	// Next header (set by the kernel), length 0 (8 bytes), PadN of 4.
	hop := string([]byte{0, 0, 1, 4, 0, 0, 0, 0})
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptString(int(fd), unix.IPPROTO_IPV6, unix.IPV6_HOPOPTS, hop)
	}); err != nil || serr != nil {
		return fmt.Errorf("set IPV6_HOPOPTS: %w", errors.Join(err, serr))
	}
	for range atoi(args[1]) {
		if _, err := c.Write([]byte("hop")); err != nil {
			return err
		}
	}
	return nil
}
