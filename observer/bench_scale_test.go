package observer_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// BenchmarkEventsPerRecord: kernel events per record userspace reads, under
// connection churn from 300 client addresses to one server, drained at the
// observer command's default interval (goal >= 100:1); drops are reported.
func BenchmarkEventsPerRecord(b *testing.B) {
	node, client, server := twoPods(b)
	var sources []netip.Addr
	for i := range 300 {
		a := netip.AddrFrom4([4]byte{198, 18, 100 + byte(i/250), byte(1 + i%250)})
		if err := node.AddAddress(client, a); err != nil {
			b.Fatal(err)
		}
		sources = append(sources, a)
	}
	dst := netip.AddrPortFrom(server.IPv4, 8080)
	churnServer(b, server, dst)
	o := openObserverSized(b, 0)
	before, err := o.Stats()
	if err != nil {
		b.Fatal(err)
	}
	const interval = 10 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Read(ctx, interval, func([]flow.Observation) error { return nil }) }()
	conns := churn(b, client, dst, sources, churnWorkers, 2*interval)
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	after, err := o.Stats()
	if err != nil {
		b.Fatal(err)
	}
	events, records := after.Events-before.Events, after.Drained-before.Drained
	b.ReportMetric(float64(conns), "connections")
	b.ReportMetric(float64(events)/float64(max(records, 1)), "events/record")
	b.ReportMetric(float64(after.DropFlowUpdate+after.DropSocketStorage+after.DropParse-
		before.DropFlowUpdate-before.DropSocketStorage-before.DropParse), "drops")
	b.ReportMetric(float64(after.Evicted-before.Evicted), "evicted")
}

// BenchmarkRSS100kFlows: resident memory of an observer process holding
// 100k flows, first in the kernel table, then drained into Go (goal <=
// 128 MiB). The process is the benchmark's own, so this is an upper bound.
func BenchmarkRSS100kFlows(b *testing.B) {
	node, client, server := twoPods(b)
	second := netip.MustParseAddr("198.18.99.1")
	if err := node.AddAddress(server, second); err != nil {
		b.Fatal(err)
	}
	o := openObserverSized(b, 131072)
	if _, err := o.Drain(); err != nil {
		b.Fatal(err)
	}
	udpSpray(b, client, []netip.Addr{server.IPv4, second}, 50000)
	rssKernel := rssMiB(b)
	obs, err := o.Drain()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ReportMetric(float64(len(obs)), "flows")
	b.ReportMetric(rssKernel, "MiB_rss_in_kernel_table")
	b.ReportMetric(rssMiB(b), "MiB_rss_drained")
	runtime.KeepAlive(obs)
}

func rssMiB(b *testing.B) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal(fmt.Errorf("no VmRSS in /proc/self/status"))
	return 0
}
