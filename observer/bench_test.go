package observer_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
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

// BenchmarkConnectRateRatio: the rate of a tight loop with the observer
// attached divided by the rate without it, in the same run (goal >= 0.97):
// TCP connect/accept from one client goroutine to a server in another pod,
// and a stream of 64-byte UDP datagrams between them. The observer stays
// loaded and is attached for every other short round (runPairs); ratio_* is
// the median of the rounds' paired ratios, ratio_*_iqr their interquartile
// range (how much one pair says), ratio_*_total the ratio of the sums.
// ratio_tcp_empty is the TCP loop's floor, measured between the observer's
// rounds: programs that only return, on every hook the observer attaches
// (tcpHooks), against none; ratio_tcp_over_empty the observer against
// those programs, paired the same way: what its code costs above the floor;
// ratio_udp_empty and ratio_udp_over_empty the same for the UDP stream.
// Beside each median, ratio_*_lo and ratio_*_hi are a 90 % confidence
// interval of it (medianCI). The threads are left to the schedulers:
// pinned (client and server on CPUs 0 and 1, or both on 0) a round's rate
// swung far more on the shared machine, where another process on a pinned
// CPU cannot be escaped (docs/performance.md).
func BenchmarkConnectRateRatio(b *testing.B) {
	_, client, server := twoPods(b)
	dst := netip.AddrPortFrom(server.IPv4, 8080)
	churnServer(b, server, dst)
	sink := udpSink(b, server, netip.AddrPortFrom(server.IPv4, 8125))
	root, err := cgroups.V2Mount()
	if err != nil {
		b.Fatal(err)
	}
	o := openObserver(b)
	if err := o.Detach(); err != nil {
		b.Fatal(err)
	}
	obs := programs{func() error { return o.Reattach(root) }, o.Detach}
	empty := tcpHooks(b)
	floor := programs{empty.attach, empty.detach}
	tcp := func() uint64 { return churn(b, client, dst, nil, 1, ratioRound) }
	udp := func() uint64 { return udpStream(b, client, sink, ratioRound) }
	ss := []*series{
		{name: "tcp", off: noPrograms, on: obs, run: tcp, rates: true},
		{name: "tcp_empty", off: noPrograms, on: floor, run: tcp},
		{name: "tcp_over_empty", off: floor, on: obs, run: tcp},
		{name: "udp", off: noPrograms, on: obs, run: udp, rates: true},
		{name: "udp_empty", off: noPrograms, on: floor, run: udp},
		{name: "udp_over_empty", off: floor, on: obs, run: udp},
	}
	runPairs(b, ss...)
	secs := (ratioPairs * ratioRound).Seconds()
	for _, s := range ss {
		s.report(b)
		if s.rates {
			b.ReportMetric(float64(s.offN)/secs, s.name+"/s_without")
			b.ReportMetric(float64(s.onN)/secs, s.name+"/s_with")
			b.ReportMetric(s.total(), "ratio_"+s.name+"_total")
		}
	}
}

// BenchmarkHookCost: average run time of a BPF program call from the
// kernel's own accounting (BPF_ENABLE_STATS), over TCP churn and then UDP
// request/response traffic (goal <= 150 ns), and per kind of call: the TCP
// state tracepoint, the cgroup_skb programs on TCP packets (which leave at
// once) and on UDP datagrams. The servers start before the observer.
func BenchmarkHookCost(b *testing.B) { hookCost(b, false) }

// BenchmarkHookCostNamedServers is BenchmarkHookCost with the servers
// started after the observer, as most pods of a node are: their listening
// and bound sockets carry their process name in socket storage
// (bpf/sockcomm.bpf.c), every accepted connection gets a copy, and the UDP
// server's datagrams find storage on its socket.
func BenchmarkHookCostNamedServers(b *testing.B) { hookCost(b, true) }

func hookCost(b *testing.B, serversAfter bool) {
	node, client, server := twoPods(b)
	dst := netip.AddrPortFrom(server.IPv4, 8080)
	servers := func() {
		churnServer(b, server, dst)
		udpEcho(b, node, server)
	}
	if !serversAfter {
		servers()
	}
	stats, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME)
	if err != nil {
		b.Fatalf("enable BPF run-time statistics: %v", err)
	}
	defer stats.Close()
	o := openObserver(b)
	if serversAfter {
		servers()
	}
	measureHooks(b, o, client, dst, netip.AddrPortFrom(server.IPv4, 53))
}

// measureHooks reports the programs' cost per call over TCP churn to tcp,
// then UDP exchanges with udp, from client.
func measureHooks(b *testing.B, o *observer.Observer, client *netns.Pod, tcp, udp netip.AddrPort) {
	// The accounting's floor: a program that does nothing, on the same hooks.
	skb := skbHooks(b)
	if err := skb.attach(); err != nil {
		b.Fatal(err)
	}
	defer skb.detach()
	empty := skb.hooks[0].prog
	start, emptyStart := programStats(b, o), runStats(b, empty)
	churn(b, client, tcp, nil, churnWorkers, 2*time.Second)
	afterTCP, emptyEnd := programStats(b, o), runStats(b, empty)
	udpExchanges(b, client, udp, 2*time.Second)
	end := programStats(b, o)
	report := func(name string, s hookStats) {
		if s.calls > 0 {
			b.ReportMetric(float64(s.ns)/float64(s.calls), "ns/call_"+name)
		}
	}
	report("tcp_state", afterTCP["tcp_state"].minus(start["tcp_state"]))
	report("skb_tcp", afterTCP.skb().minus(start.skb()))
	report("skb_udp", end.skb().minus(afterTCP.skb()))
	report("empty_skb", emptyEnd.minus(emptyStart))
	total := end.all().minus(start.all())
	if total.calls == 0 {
		b.Fatal("the kernel accounted no program runs")
	}
	b.ReportMetric(float64(total.ns)/float64(total.calls), "ns/call")
	b.ReportMetric(float64(total.calls), "calls")
}

func runStats(b *testing.B, p *ebpf.Program) hookStats {
	s, err := p.Stats()
	if err != nil {
		b.Fatal(err)
	}
	return hookStats{s.RunCount, uint64(s.Runtime.Nanoseconds())}
}

type hookStats struct{ calls, ns uint64 }

func (h hookStats) minus(o hookStats) hookStats { return hookStats{h.calls - o.calls, h.ns - o.ns} }

type programSet map[string]hookStats

func (p programSet) skb() hookStats {
	e, i := p["udp_egress"], p["udp_ingress"]
	return hookStats{e.calls + i.calls, e.ns + i.ns}
}

func (p programSet) all() hookStats {
	var s hookStats
	for _, h := range p {
		s.calls, s.ns = s.calls+h.calls, s.ns+h.ns
	}
	return s
}

func programStats(b *testing.B, o *observer.Observer) programSet {
	ps, err := o.ProgramStats()
	if err != nil {
		b.Fatal(err)
	}
	out := programSet{}
	for _, p := range ps {
		out[p.Program] = hookStats{p.RunCount, uint64(p.RunTime.Nanoseconds())}
	}
	return out
}

// openObserverSized opens an observer with a given flow table size.
func openObserverSized(b *testing.B, maxFlows uint32) *observer.Observer {
	return openObserverConfig(b, observer.Config{MaxFlows: maxFlows})
}

// openObserverConfig opens an observer with cfg, closed when b ends.
func openObserverConfig(b *testing.B, cfg observer.Config) *observer.Observer {
	testutil.RequireRoot(b)
	o, err := observer.Open(cfg)
	if err != nil {
		b.Fatalf("open observer: %v", err)
	}
	b.Cleanup(func() { o.Close() })
	return o
}
