package observer_test

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// udpEcho answers every datagram to server's port 53 until the test ends.
func udpEcho(tb testing.TB, _ *netns.Node, server *netns.Pod) {
	tb.Helper()
	var pc net.PacketConn
	addr := netip.AddrPortFrom(server.IPv4, 53).String()
	if err := server.Run(func() (err error) { pc, err = net.ListenPacket("udp4", addr); return err }); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pc.Close() })
	go packetLoop(pc, true)
}

// udpSink counts the datagrams that reach addr in pod until the test ends.
func udpSink(tb testing.TB, pod *netns.Pod, addr netip.AddrPort) *sink {
	tb.Helper()
	var pc net.PacketConn
	if err := pod.Run(func() (err error) { pc, err = net.ListenPacket("udp4", addr.String()); return err }); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pc.Close() })
	s := &sink{addr: addr}
	go func() {
		buf := make([]byte, 128)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			s.n.Add(1)
		}
	}()
	return s
}

type sink struct {
	addr netip.AddrPort
	n    atomic.Uint64
}

// udpStream sends 64-byte datagrams from one connected socket in pod to s
// for d and returns how many s received meanwhile.
func udpStream(tb testing.TB, pod *netns.Pod, s *sink, d time.Duration) uint64 {
	tb.Helper()
	before := s.n.Load()
	err := pod.Run(func() error {
		c, err := net.Dial("udp4", s.addr.String())
		if err != nil {
			return err
		}
		defer c.Close()
		payload := make([]byte, 64)
		for deadline := time.Now().Add(d); time.Now().Before(deadline); {
			for range 64 {
				_, _ = c.Write(payload) // a full socket buffer drops: the sink counts what arrived
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the last datagrams in flight
	return s.n.Load() - before
}

// udpExchanges sends DNS-like request/response pairs from pod to dst for
// d, on a new socket every tenth exchange, and returns how many it made.
func udpExchanges(tb testing.TB, pod *netns.Pod, dst netip.AddrPort, d time.Duration) int {
	return udpExchangesPer(tb, pod, dst, d, 10)
}

// udpExchangesPer is udpExchanges with perSocket exchanges on each socket.
func udpExchangesPer(tb testing.TB, pod *netns.Pod, dst netip.AddrPort, d time.Duration, perSocket int) int {
	tb.Helper()
	n := 0
	err := pod.Run(func() error {
		buf := make([]byte, 64)
		for deadline := time.Now().Add(d); time.Now().Before(deadline); {
			c, err := net.Dial("udp4", dst.String())
			if err != nil {
				return err
			}
			_ = c.SetDeadline(time.Now().Add(time.Second))
			for range perSocket {
				if _, err := c.Write([]byte("query")); err != nil {
					c.Close()
					return err
				}
				if _, err := c.Read(buf); err != nil {
					c.Close()
					return err
				}
				n++
			}
			c.Close()
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// udpSpray sends one datagram from a single unconnected socket in pod to
// each port 1..ports of each address in dsts: that many distinct flows.
func udpSpray(tb testing.TB, pod *netns.Pod, dsts []netip.Addr, ports int) {
	tb.Helper()
	err := pod.Run(func() error {
		c, err := net.ListenUDP("udp4", nil)
		if err != nil {
			return err
		}
		defer c.Close()
		for _, a := range dsts {
			for p := 1; p <= ports; p++ {
				if _, err := c.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(a, uint16(p))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}
