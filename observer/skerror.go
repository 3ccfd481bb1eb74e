package observer

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
)

// ICMP errors of connected UDP sockets (refused datagrams) and of connecting
// TCP sockets reach sk_error (bpf/skerr.bpf.c) through the
// inet_sk_error_report tracepoint, 5.14+. The program is a tp_btf one,
// whose target must be in the kernel's BTF for it to load at all: on an
// older kernel a stand-in that does nothing takes its place, so that the
// object loads, and is never attached.
const errorReportTracepoint = "inet_sk_error_report"

// haveErrorReport tells whether the kernel has the tracepoint: its BTF
// names every tracepoint's prototype btf_trace_<name>.
func haveErrorReport() bool {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return false
	}
	_, err = spec.AnyTypeByName("btf_trace_" + errorReportTracepoint)
	return err == nil
}

// configureErrorReport puts the stand-in in spec where the kernel lacks the
// tracepoint (and for a load as on 5.10, which lacks it), and says whether
// sk_error is the real program.
func configureErrorReport(spec *ebpf.CollectionSpec, cfg Config) bool {
	if !cfg.oldKernel && haveErrorReport() {
		return true
	}
	spec.Programs[flowbpfProgSkError] = &ebpf.ProgramSpec{
		Name: flowbpfProgSkError, Type: ebpf.RawTracepoint, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	}
	return false
}

// attachUDPErrors attaches sk_error. Without its tracepoint the observer
// runs on, and says what it misses.
func (o *Observer) attachUDPErrors() {
	const missing = "refused UDP datagrams are not seen, and a TCP connect failed by an ICMP error may be counted as timed out"
	if !o.errorReport {
		o.log.Info("this kernel has no " + errorReportTracepoint + " tracepoint (before 5.14): " + missing)
		return
	}
	l, err := link.AttachTracing(link.TracingOptions{Program: o.objs.SkError})
	if err != nil {
		o.log.Info("could not attach to the "+errorReportTracepoint+" tracepoint: "+missing, "err", err)
		return
	}
	o.links = append(o.links, l)
	o.hooks = append(o.hooks, "tp_btf/"+errorReportTracepoint+" (ICMP errors of UDP and connecting TCP sockets)")
}
