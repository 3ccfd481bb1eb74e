package observer_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// BenchmarkTCPCostModel: the observer's cost model per TCP connection.
// One client connects to a server in another pod, both on this node, and
// resets each connection at close (the churn loop of
// BenchmarkConnectRateRatio); the kernel's accounting (BPF_ENABLE_STATS)
// says how often each program ran and for how long, divided by the
// connections made: calls/conn_<program> and ns/conn_<program> for both
// ends together, ns/conn for all of them. The same with _empty are for
// programs that only return, attached beside the observer's on the same
// hooks (tcpHooks): the accounting's and the kernel's own part of ns/conn.
// The server starts after the observer, so its listener carries its name
// (sockcomm.bpf.c).
func BenchmarkTCPCostModel(b *testing.B) {
	_, client, server := twoPods(b)
	dst := netip.AddrPortFrom(server.IPv4, 8080)
	stats, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME)
	if err != nil {
		b.Fatalf("enable BPF run-time statistics: %v", err)
	}
	defer stats.Close()
	o := openObserver(b)
	churnServer(b, server, dst)
	empty := tcpHooks(b)
	if err := empty.attach(); err != nil {
		b.Fatal(err)
	}
	defer empty.detach()
	before, emptyBefore := programStats(b, o), empty.stats(b)
	n := churn(b, client, dst, nil, 1, 2*time.Second)
	time.Sleep(50 * time.Millisecond) // the server closes the last ones
	after, emptyAfter := programStats(b, o), empty.stats(b)
	if n == 0 {
		b.Fatal("no connection was made")
	}
	report := func(suffix string, after, before programSet) {
		for name, s := range after {
			d := s.minus(before[name])
			b.ReportMetric(float64(d.calls)/float64(n), "calls/conn"+suffix+"_"+name)
			if d.calls > 0 {
				b.ReportMetric(float64(d.ns)/float64(n), "ns/conn"+suffix+"_"+name)
			}
		}
		total := after.all().minus(before.all())
		b.ReportMetric(float64(total.calls)/float64(n), "calls/conn"+suffix)
		b.ReportMetric(float64(total.ns)/float64(n), "ns/conn"+suffix)
	}
	report("", after, before)
	report("_empty", emptyAfter, emptyBefore)
	b.ReportMetric(float64(n), "conns")
}
