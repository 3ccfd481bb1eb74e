package observer_test

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
)

// emptyHooks are BPF programs that only return, attached where the
// observer's programs are: the floor of any observer on those hooks (the
// kernel's entry into a program on every call, the trampolines and static
// keys that an attached program turns on), for the ratio benchmarks.
type emptyHooks struct {
	hooks []emptyHook
	links []link.Link
}

type emptyHook struct {
	name   string // the hook, for figures; hooks of one program share it
	prog   *ebpf.Program
	attach func(*ebpf.Program) (link.Link, error)
}

// skbHooks: a cgroup_skb program on egress and ingress of the cgroup v2
// root, as udp.bpf.c attaches.
func skbHooks(b *testing.B) *emptyHooks {
	prog := emptyProgram(b, &ebpf.ProgramSpec{Type: ebpf.CGroupSKB}, 1)
	return &emptyHooks{hooks: []emptyHook{
		{"skb", prog, onCgroup(b, ebpf.AttachCGroupInetEgress)},
		{"skb", prog, onCgroup(b, ebpf.AttachCGroupInetIngress)},
	}}
}

// tcpHooks: every hook the observer attaches that a TCP connection runs
// (BenchmarkTCPCostModel counts them): the cgroup_skb pair, the socket
// state, RST and error report tracepoints (tp_btf), the socket release and, for the same set as the observer, the post-bind
// hooks, which a connect does not run.
func tcpHooks(b *testing.B) *emptyHooks {
	h := skbHooks(b)
	for _, tp := range []string{"inet_sock_set_state", "tcp_receive_reset", "inet_sk_error_report"} {
		prog := emptyProgram(b, &ebpf.ProgramSpec{Type: ebpf.Tracing, AttachType: ebpf.AttachTraceRawTp, AttachTo: tp}, 0)
		h.hooks = append(h.hooks, emptyHook{tp, prog, func(p *ebpf.Program) (link.Link, error) {
			return link.AttachTracing(link.TracingOptions{Program: p})
		}})
	}
	for _, typ := range []ebpf.AttachType{ebpf.AttachCgroupInetSockRelease, ebpf.AttachCGroupInet4PostBind, ebpf.AttachCGroupInet6PostBind} {
		prog := emptyProgram(b, &ebpf.ProgramSpec{Type: ebpf.CGroupSock, AttachType: typ}, 1)
		h.hooks = append(h.hooks, emptyHook{typ.String(), prog, onCgroup(b, typ)})
	}
	return h
}

// emptyProgram loads spec with a body that returns ret and nothing else.
func emptyProgram(b *testing.B, spec *ebpf.ProgramSpec, ret int32) *ebpf.Program {
	spec.License = "GPL"
	spec.Instructions = asm.Instructions{asm.Mov.Imm(asm.R0, ret), asm.Return()}
	prog, err := ebpf.NewProgram(spec)
	if err != nil {
		b.Fatalf("load an empty %s program: %v", spec.Type, err)
	}
	b.Cleanup(func() { prog.Close() })
	return prog
}

// onCgroup attaches a program of typ to the cgroup v2 root.
func onCgroup(b *testing.B, typ ebpf.AttachType) func(*ebpf.Program) (link.Link, error) {
	root, err := cgroups.V2Mount()
	if err != nil {
		b.Fatal(err)
	}
	return func(p *ebpf.Program) (link.Link, error) {
		return link.AttachCgroup(link.CgroupOptions{Path: root, Attach: typ, Program: p})
	}
}

func (h *emptyHooks) attach() error {
	for _, hk := range h.hooks {
		l, err := hk.attach(hk.prog)
		if err != nil {
			return errors.Join(err, h.detach())
		}
		h.links = append(h.links, l)
	}
	return nil
}

func (h *emptyHooks) detach() error {
	var errs []error
	for _, l := range h.links {
		errs = append(errs, l.Close())
	}
	h.links = nil
	return errors.Join(errs...)
}

// stats is the kernel's accounting of each program, by hook name.
func (h *emptyHooks) stats(b *testing.B) programSet {
	s := programSet{}
	for _, hk := range h.hooks {
		s[hk.name] = runStats(b, hk.prog)
	}
	return s
}
