package observer_test

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
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
// loaded and is attached for every other short round, in ABBA order so that
// a trend in the machine's load favours neither; ratio_* is the median of
// the rounds' paired ratios (robust to another process's burst hitting one
// round), ratio_*_total the ratio of the sums.
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
	const pairs, round = 20, 200 * time.Millisecond
	for _, c := range []struct {
		name string
		run  func() uint64
	}{
		{"tcp", func() uint64 { return churn(b, client, dst, nil, 1, round) }},
		{"udp", func() uint64 { return udpStream(b, client, sink, round) }},
	} {
		var without, with uint64
		ratios := make([]float64, 0, pairs)
		for r := range pairs {
			off, on := alternate(b, o, root, c.run, r%2 == 0)
			without, with = without+off, with+on
			ratios = append(ratios, float64(on)/float64(max(off, 1)))
		}
		secs := (pairs * round).Seconds()
		slices.Sort(ratios)
		b.ReportMetric(float64(without)/secs, c.name+"/s_without")
		b.ReportMetric(float64(with)/secs, c.name+"/s_with")
		b.ReportMetric((ratios[pairs/2-1]+ratios[pairs/2])/2, "ratio_"+c.name)
		b.ReportMetric(float64(with)/float64(without), "ratio_"+c.name+"_total")
	}
}

// alternate runs fn without and with the observer attached (in that order
// when offFirst) and returns both counts; the observer ends detached.
func alternate(b *testing.B, o *observer.Observer, root string, fn func() uint64, offFirst bool) (off, on uint64) {
	return alternateWith(b, func() error { return o.Reattach(root) }, o.Detach, fn, offFirst)
}

// alternateWith is alternate with any programs that attach and detach.
func alternateWith(b *testing.B, attach, detach func() error, fn func() uint64, offFirst bool) (off, on uint64) {
	withPrograms := func() uint64 {
		if err := attach(); err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := detach(); err != nil {
				b.Fatal(err)
			}
		}()
		return fn()
	}
	if offFirst {
		off = fn()
		return off, withPrograms()
	}
	on = withPrograms()
	return fn(), on
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
	empty := attachEmptySKB(b)
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
	// The floor: the kernel's accounting of a program that does nothing.
	report("empty_skb", emptyEnd.minus(emptyStart))
	total := end.all().minus(start.all())
	if total.calls == 0 {
		b.Fatal("the kernel accounted no program runs")
	}
	b.ReportMetric(float64(total.ns)/float64(total.calls), "ns/call")
	b.ReportMetric(float64(total.calls), "calls")
}

// attachEmptySKB attaches a cgroup_skb program that only returns "pass" to
// the cgroup v2 root, next to the observer's, for the accounting's floor.
func attachEmptySKB(b *testing.B) *ebpf.Program {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.CGroupSKB, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 1), asm.Return()}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { prog.Close() })
	root, err := cgroups.V2Mount()
	if err != nil {
		b.Fatal(err)
	}
	l, err := link.AttachCgroup(link.CgroupOptions{Path: root, Attach: ebpf.AttachCGroupInetEgress, Program: prog})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return prog
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
