package observer_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/netpol-advisor/netpol-advisor/observer"
)

// BenchmarkUDPCacheCost: the kernel's accounting of the observer's UDP
// programs with the per-socket UDP cache and without it (as kernels before
// 5.12 run), alternating in one run (on, off, off, on), on two workloads:
//   - a stream of 64-byte datagrams from one connected socket to a sink:
//     ns per cgroup_skb call (one egress call at the client and one ingress
//     call at the server per datagram);
//   - DNS-like exchanges on a new socket each (the cache's worst case: a
//     socket's storage made for one datagram): all the programs' ns
//     (cgroup_skb, the close's flush) per exchange.
func BenchmarkUDPCacheCost(b *testing.B) {
	node, client, server := twoPods(b)
	sink := udpSink(b, server, netip.AddrPortFrom(server.IPv4, 8125))
	udpEcho(b, node, server)
	stats, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME)
	if err != nil {
		b.Fatalf("enable BPF run-time statistics: %v", err)
	}
	defer stats.Close()
	type sums struct{ stream, oneshot, release hookStats }
	sum := map[bool]sums{}
	for r := range 4 {
		cached := r%3 == 0
		o := openCacheObserver(b, cached)
		start := programStats(b, o)
		udpStream(b, client, sink, 500*time.Millisecond)
		mid := programStats(b, o)
		n := udpExchangesPer(b, client, netip.AddrPortFrom(server.IPv4, 53), 500*time.Millisecond, 1)
		end := programStats(b, o)
		s, one := mid.skb().minus(start.skb()), end.all().minus(mid.all())
		rel := end["udp_release"].minus(mid["udp_release"])
		prev := sum[cached]
		sum[cached] = sums{hookStats{prev.stream.calls + s.calls, prev.stream.ns + s.ns},
			hookStats{prev.oneshot.calls + uint64(n), prev.oneshot.ns + one.ns},
			hookStats{prev.release.calls + uint64(n), prev.release.ns + rel.ns}}
		if err := o.Close(); err != nil {
			b.Fatal(err)
		}
	}
	for cached, name := range map[bool]string{true: "cached", false: "uncached"} {
		if s := sum[cached].stream; s.calls > 0 {
			b.ReportMetric(float64(s.ns)/float64(s.calls), "ns/call_skb_udp_stream_"+name)
		}
		if s := sum[cached].oneshot; s.calls > 0 {
			b.ReportMetric(float64(s.ns)/float64(s.calls), "ns/exchange_oneshot_"+name)
		}
		if s := sum[cached].release; cached && s.calls > 0 {
			b.ReportMetric(float64(s.ns)/float64(s.calls), "ns/exchange_oneshot_close_flush")
		}
	}
}

// openCacheObserver opens an observer with or without the UDP cache.
func openCacheObserver(b *testing.B, cached bool) *observer.Observer {
	cfg := observer.Config{}
	if !cached {
		cfg = observer.WithoutUDPCache(cfg)
	}
	o := openObserverConfig(b, cfg)
	if o.UDPCacheOn() != cached {
		b.Fatalf("UDP cache on: %v, want %v", o.UDPCacheOn(), cached)
	}
	return o
}
