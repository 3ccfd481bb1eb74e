package observer_test

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
)

// BenchmarkUDPFloorRatio: the floor of any cgroup_skb observer on the
// 64-byte UDP stream of BenchmarkConnectRateRatio: the rate with a pair of
// programs that only return "pass" attached (egress and ingress, on the
// cgroup v2 root) divided by the rate without them, alternating in the same
// way (ratio_udp_empty_skb: median of the paired rounds).
func BenchmarkUDPFloorRatio(b *testing.B) {
	_, client, server := twoPods(b)
	sink := udpSink(b, server, netip.AddrPortFrom(server.IPv4, 8125))
	root, err := cgroups.V2Mount()
	if err != nil {
		b.Fatal(err)
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.CGroupSKB, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 1), asm.Return()}})
	if err != nil {
		b.Fatal(err)
	}
	defer prog.Close()
	var links []link.Link
	attach := func() error {
		for _, typ := range []ebpf.AttachType{ebpf.AttachCGroupInetEgress, ebpf.AttachCGroupInetIngress} {
			l, err := link.AttachCgroup(link.CgroupOptions{Path: root, Attach: typ, Program: prog})
			if err != nil {
				return err
			}
			links = append(links, l)
		}
		return nil
	}
	detach := func() error {
		var errs []error
		for _, l := range links {
			errs = append(errs, l.Close())
		}
		links = nil
		return errors.Join(errs...)
	}
	const pairs, round = 20, 200 * time.Millisecond
	ratios := make([]float64, 0, pairs)
	for r := range pairs {
		off, on := alternateWith(b, attach, detach, func() uint64 { return udpStream(b, client, sink, round) }, r%2 == 0)
		ratios = append(ratios, float64(on)/float64(max(off, 1)))
	}
	slices.Sort(ratios)
	b.ReportMetric((ratios[pairs/2-1]+ratios[pairs/2])/2, "ratio_udp_empty_skb")
}
