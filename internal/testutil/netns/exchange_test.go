package netns_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// echoTCP accepts one connection on ln, answers "re:" + what it read and
// reports the addresses the server side saw.
func echoTCP(ln net.Listener) <-chan [2]string {
	seen := make(chan [2]string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(seen)
			return
		}
		defer c.Close()
		buf := make([]byte, 64)
		n, _ := c.Read(buf)
		_, _ = c.Write(append([]byte("re:"), buf[:n]...))
		seen <- [2]string{c.LocalAddr().String(), c.RemoteAddr().String()}
	}()
	return seen
}

// echoUDP answers one datagram on pc like echoTCP.
func echoUDP(pc net.PacketConn) <-chan [2]string {
	seen := make(chan [2]string, 1)
	go func() {
		buf := make([]byte, 64)
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			close(seen)
			return
		}
		_, _ = pc.WriteTo(append([]byte("re:"), buf[:n]...), from)
		seen <- [2]string{pc.LocalAddr().String(), from.String()}
	}()
	return seen
}

// exchange dials addr from pod, sends msg and returns the answer and the
// remote address the client socket saw.
func exchange(t *testing.T, pod *netns.Pod, network, addr, msg string) (string, string) {
	t.Helper()
	var c net.Conn
	if err := pod.Run(func() (err error) {
		c, err = net.DialTimeout(network, addr, 5*time.Second)
		return err
	}); err != nil {
		t.Fatalf("dial %s %s from %s: %v", network, addr, pod.Name, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write to %s: %v", addr, err)
	}
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("read from %s: %v", addr, err)
	}
	return string(buf[:n]), c.RemoteAddr().String()
}

func listen(t *testing.T, pod *netns.Pod, network, addr string) io.Closer {
	t.Helper()
	var l io.Closer
	err := pod.Run(func() (err error) {
		if strings.HasPrefix(network, "udp") {
			l, err = net.ListenPacket(network, addr)
		} else {
			l, err = net.Listen(network, addr)
		}
		return err
	})
	if err != nil {
		t.Fatalf("listen %s %s in %s: %v", network, addr, pod.Name, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
