package observer

import (
	"fmt"
	"time"

	"github.com/cilium/ebpf"
)

// ProgramStats is the kernel's run-time accounting of one BPF program:
// how often it ran and for how long in total. The kernel keeps it only
// while BPF statistics are enabled (sysctl kernel.bpf_stats_enabled, or an
// EnableStats handle); otherwise both stay zero.
type ProgramStats struct {
	Program  string
	RunCount uint64
	RunTime  time.Duration
}

// ProgramStats returns the accounting of each of the observer's programs.
func (o *Observer) ProgramStats() ([]ProgramStats, error) {
	progs := []struct {
		name string
		prog *ebpf.Program
	}{
		{flowbpfProgTcpState, o.objs.TcpState},
		{flowbpfProgTcpReset, o.objs.TcpReset},
		{flowbpfProgUdpEgress, o.objs.UdpEgress},
		{flowbpfProgUdpIngress, o.objs.UdpIngress},
		{flowbpfProgSkError, o.objs.SkError},
		{flowbpfProgUdpRelease, o.objs.UdpRelease},
		{flowbpfProgUdpFlushAll, o.objs.UdpFlushAll},
		{flowbpfProgUdpBind4, o.objs.UdpBind4},
		{flowbpfProgUdpBind6, o.objs.UdpBind6},
	}
	out := make([]ProgramStats, 0, len(progs))
	for _, p := range progs {
		s, err := p.prog.Stats()
		if err != nil {
			return nil, fmt.Errorf("read stats of BPF program %s: %w", p.name, err)
		}
		out = append(out, ProgramStats{Program: p.name, RunCount: s.RunCount, RunTime: s.Runtime})
	}
	return out, nil
}
