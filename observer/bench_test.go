package observer_test

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
	"github.com/netpol-advisor/netpol-advisor/observer"
)

// These benchmarks measure the four figures on the real kernel.
// Each runs its own fixed workload once (run them with -benchtime 1x) and
// reports the figure with b.ReportMetric; nothing is asserted.

const churnWorkers = 4

func twoPods(b *testing.B) (*netns.Node, *netns.Pod, *netns.Pod) {
	testutil.RequireRoot(b)
	node := netns.NewNode(b)
	return node, node.AddPod(b, "client"), node.AddPod(b, "server")
}

// BenchmarkConnectRateRatio: TCP connect/accept rate through veth with the
// observer attached divided by the rate without it (goal >= 0.97). Rounds
// alternate so that load from elsewhere on the machine hits both alike.
func BenchmarkConnectRateRatio(b *testing.B) {
	_, client, server := twoPods(b)
	dst := netip.AddrPortFrom(server.IPv4, 8080)
	churnServer(b, server, dst)
	const rounds, round = 10, 700 * time.Millisecond
	var without, with uint64
	for r := range rounds {
		// ABBA order, so a trend in the machine's load favours neither.
		if r%2 == 0 {
			without += churn(b, client, dst, nil, churnWorkers, round)
		}
		with += churnObserved(b, client, dst, round)
		if r%2 == 1 {
			without += churn(b, client, dst, nil, churnWorkers, round)
		}
	}
	secs := (rounds * round).Seconds()
	b.ReportMetric(float64(without)/secs, "conn/s_without")
	b.ReportMetric(float64(with)/secs, "conn/s_with")
	b.ReportMetric(float64(with)/float64(without), "ratio")
}

// churnObserved runs churn with an observer attached for just that time.
func churnObserved(b *testing.B, client *netns.Pod, dst netip.AddrPort, d time.Duration) uint64 {
	o, err := observer.Open(observer.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	// Loading parsed the kernel's BTF: collect that garbage now, not
	// while measuring.
	runtime.GC()
	return churn(b, client, dst, nil, churnWorkers, d)
}

// BenchmarkHookCost: average run time of a BPF program call from the
// kernel's own accounting (BPF_ENABLE_STATS), over TCP churn and UDP
// request/response traffic (goal <= 150 ns).
func BenchmarkHookCost(b *testing.B) {
	node, client, server := twoPods(b)
	dst := netip.AddrPortFrom(server.IPv4, 8080)
	churnServer(b, server, dst)
	udpEcho(b, node, server)
	stats, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME)
	if err != nil {
		b.Fatalf("enable BPF run-time statistics: %v", err)
	}
	defer stats.Close()
	o := openObserver(b)
	churn(b, client, dst, nil, churnWorkers, 2*time.Second)
	udpExchanges(b, client, netip.AddrPortFrom(server.IPv4, 53), 2*time.Second)
	ps, err := o.ProgramStats()
	if err != nil {
		b.Fatal(err)
	}
	var calls uint64
	var total time.Duration
	for _, p := range ps {
		if p.RunCount > 0 {
			b.ReportMetric(float64(p.RunTime.Nanoseconds())/float64(p.RunCount), "ns/call_"+p.Program)
		}
		calls += p.RunCount
		total += p.RunTime
	}
	if calls == 0 {
		b.Fatal("the kernel accounted no program runs")
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(calls), "ns/call")
	b.ReportMetric(float64(calls), "calls")
}

// openObserverSized opens an observer with a given flow table size.
func openObserverSized(b *testing.B, maxFlows uint32) *observer.Observer {
	testutil.RequireRoot(b)
	o, err := observer.Open(observer.Config{MaxFlows: maxFlows})
	if err != nil {
		b.Fatalf("open observer: %v", err)
	}
	b.Cleanup(func() { o.Close() })
	return o
}
