package observer_test

import (
	"net"
	"net/netip"
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

// udpExchanges sends DNS-like request/response pairs from pod to dst for
// d, on a new socket every tenth exchange, and returns how many it made.
func udpExchanges(tb testing.TB, pod *netns.Pod, dst netip.AddrPort, d time.Duration) int {
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
			for range 10 {
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
