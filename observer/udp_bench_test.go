package observer_test

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
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

// BenchmarkUDPStreamCost: the kernel's accounting of the cgroup_skb
// programs per call while one connected socket streams 64-byte datagrams
// to a sink (one egress call at the client and one ingress call at the
// server per datagram), with the per-socket UDP cache and without it
// (kernels before 5.12), alternating in one run, ABBA.
func BenchmarkUDPStreamCost(b *testing.B) {
	_, client, server := twoPods(b)
	sink := udpSink(b, server, netip.AddrPortFrom(server.IPv4, 8125))
	stats, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME)
	if err != nil {
		b.Fatalf("enable BPF run-time statistics: %v", err)
	}
	defer stats.Close()
	sum := map[bool]hookStats{}
	for r := range 4 {
		cached := r%3 == 0 // on, off, off, on
		cfg := observer.Config{}
		if !cached {
			cfg = observer.WithoutUDPCache(cfg)
		}
		o := openObserverConfig(b, cfg)
		if o.UDPCacheOn() != cached {
			b.Fatalf("UDP cache on: %v, want %v", o.UDPCacheOn(), cached)
		}
		start := programStats(b, o)
		udpStream(b, client, sink, 500*time.Millisecond)
		s := programStats(b, o).skb().minus(start.skb())
		sum[cached] = hookStats{sum[cached].calls + s.calls, sum[cached].ns + s.ns}
		if err := o.Close(); err != nil {
			b.Fatal(err)
		}
	}
	for cached, name := range map[bool]string{true: "cached", false: "uncached"} {
		if s := sum[cached]; s.calls > 0 {
			b.ReportMetric(float64(s.ns)/float64(s.calls), "ns/call_skb_udp_stream_"+name)
		}
	}
}
