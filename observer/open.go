package observer

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
)

// Observer holds the loaded BPF programs and their attachments.
type Observer struct {
	objs     flowbpfObjects
	links    []link.Link
	hooks    []string
	notify   bool // new-flow notifications are on
	udpCache bool // the per-socket UDP cache is on (udpcache.go)
	sockComm bool // servers' sockets keep their process name (sockcomm.go)
	// errorReport: sk_error is the real program, not a stand-in (skerror.go)
	errorReport bool
	udpFlush    *link.Iter
	log         *slog.Logger
	closeOnce   sync.Once
	closeErr    error
	mu          sync.Mutex // serialises drains
	drained     uint64     // entries drained so far (records and empty ones)
	evicted     uint64     // lower bound of flows evicted before a drain
	pending     pendingConnects
	putBack     uint64 // empty TCP egress entries Drain put back
	// drainedEmpty counts the empty entries drained (put back or
	// created by connects, never records).
	drainedEmpty uint64
	lastDrain    int // records the last drain found: the table's fill
}

// Open checks the kernel and the privileges, loads the BPF programs and
// attaches them. Errors say what is missing and what to do; they wrap
// ErrPermission or ErrUnsupported where that is the cause.
func Open(cfg Config) (*Observer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := checkPrivileges(); err != nil {
		return nil, err
	}
	if err := checkBTF(); err != nil {
		return nil, err
	}
	if err := checkKernel(); err != nil {
		return nil, err
	}
	if cfg.CgroupPath == "" {
		root, err := cgroup2Root()
		if err != nil {
			return nil, err
		}
		cfg.CgroupPath = root
	}
	// Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK.
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("lift the memlock limit for BPF maps: %w", err)
	}
	o := &Observer{log: cfg.logger()}
	if err := o.load(cfg); err != nil {
		return nil, err
	}
	if err := o.attach(cfg.CgroupPath); err != nil {
		o.Close()
		return nil, err
	}
	o.log.Info("observer attached", "hooks", o.hooks)
	return o, nil
}

func (o *Observer) load(cfg Config) error {
	spec, err := loadFlowbpf()
	if err != nil {
		return fmt.Errorf("read the embedded BPF object: %w", err)
	}
	if err := o.configure(spec, cfg); err != nil {
		return err
	}
	err = spec.LoadAndAssign(&o.objs, nil)
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) && !cfg.oldKernel {
		// bpf_rdonly_cast (6.2+) reads a UDP socket's bind state; a kernel
		// that has it but refuses it here still gets the port-range rule.
		o.log.Info("the kernel refused bpf_rdonly_cast in cgroup_skb programs: UDP roles fall back to port ranges", "err", err)
		if serr := setVariables(spec, map[string]any{flowbpfVarUseRdonlyCast: false}); serr != nil {
			return serr
		}
		err = spec.LoadAndAssign(&o.objs, nil)
	}
	if err != nil {
		return explainLoad(err)
	}
	if o.udpCache {
		return o.openUDPCache()
	}
	return nil
}

// configure sizes the maps and sets the object's variables for this kernel.
func (o *Observer) configure(spec *ebpf.CollectionSpec, cfg Config) error {
	if cfg.MaxFlows != 0 {
		spec.Maps[flowbpfMapFlows].MaxEntries = cfg.MaxFlows
		spec.Maps[flowbpfMapUdpPairs].MaxEntries = cfg.MaxFlows
	}
	task, comm := taskInCgroupSKB() && !cfg.oldKernel, commInCgroupSKB() && !cfg.oldKernel
	o.notify = cfg.NotifyNewFlows
	o.errorReport = configureErrorReport(spec, cfg)
	o.udpCache = udpCacheSupported() && !cfg.oldKernel && !cfg.noUDPCache
	if !o.udpCache {
		o.log.Info("this kernel lacks socket storage in cgroup_sock programs (before 5.12): every UDP datagram updates the flow table, without the per-socket cache")
	}
	o.sockComm = sockCommSupported() && !cfg.oldKernel
	if !o.sockComm {
		o.log.Info("this kernel lacks socket storage in cgroup_sock programs (before 5.12): ingress flows carry no process name")
	}
	switch {
	case !task && comm:
		o.log.Info("this kernel has no bpf_get_current_task in cgroup_skb programs (older kernels): UDP flows carry the sending thread's name, not its process's")
	case !task:
		o.log.Info("this kernel has no bpf_get_current_comm in cgroup_skb programs (older kernels): UDP flows carry no process name")
	}
	if err := setTick(spec); err != nil {
		return err
	}
	if cfg.udpCacheAfter != 0 {
		if err := setVariables(spec, map[string]any{flowbpfVarCacheAfter: cfg.udpCacheAfter}); err != nil {
			return err
		}
	}
	return setVariables(spec, map[string]any{
		flowbpfVarTaskInCgroupSkb:  task,
		flowbpfVarCommInCgroupSkb:  comm,
		flowbpfVarNotifyNewFlows:   cfg.NotifyNewFlows,
		flowbpfVarUseRdonlyCast:    !cfg.oldKernel,
		flowbpfVarUdpCacheOn:       o.udpCache,
		flowbpfVarSockCommOn:       o.sockComm,
		flowbpfVarTaskInCgroupSock: o.sockComm && taskInCgroupSock(),
	})
}

func setVariables(spec *ebpf.CollectionSpec, vars map[string]any) error {
	for name, v := range vars {
		if err := spec.Variables[name].Set(v); err != nil {
			return fmt.Errorf("configure BPF object: set %s: %w", name, err)
		}
	}
	return nil
}

func (o *Observer) attach(cgroupPath string) error {
	tp, err := link.AttachTracing(link.TracingOptions{Program: o.objs.TcpState})
	if err != nil {
		return explainAttach("tp_btf/inet_sock_set_state", err)
	}
	o.links = append(o.links, tp)
	o.hooks = append(o.hooks, "tp_btf/inet_sock_set_state (TCP)")
	// An RST tells a refused connect from one an ICMP port unreachable
	// rejected: both leave ECONNREFUSED (tcpfail.bpf.c).
	rst, err := link.AttachTracing(link.TracingOptions{Program: o.objs.TcpReset})
	if err != nil {
		return explainAttach("tp_btf/tcp_receive_reset", err)
	}
	o.links = append(o.links, rst)
	o.hooks = append(o.hooks, "tp_btf/tcp_receive_reset (refused TCP connects)")
	progs := []cgroupProg{
		{o.objs.UdpEgress, ebpf.AttachCGroupInetEgress, "cgroup_skb/egress"},
		{o.objs.UdpIngress, ebpf.AttachCGroupInetIngress, "cgroup_skb/ingress"},
	}
	if err := o.attachCgroup(cgroupPath, progs); err != nil {
		return err
	}
	for _, c := range progs {
		o.hooks = append(o.hooks, fmt.Sprintf("%s on %s (UDP)", c.name, cgroupPath))
	}
	if o.udpCache {
		if err := o.attachUDPRelease(cgroupPath); err != nil {
			return err
		}
	}
	if o.sockComm {
		if err := o.attachSockComm(cgroupPath); err != nil {
			return err
		}
	}
	o.attachUDPErrors()
	return nil
}

// Hooks names the hooks the observer attached to, for start-up messages.
func (o *Observer) Hooks() []string { return append([]string(nil), o.hooks...) }

// Close detaches the programs and frees the maps. Flows not drained yet are
// lost. Calling it again returns the first call's result.
func (o *Observer) Close() error {
	o.closeOnce.Do(func() { o.closeErr = o.close() })
	return o.closeErr
}

func (o *Observer) close() error {
	var errs []error
	for _, l := range o.links {
		errs = append(errs, l.Close())
	}
	o.links = nil
	if o.udpFlush != nil {
		errs = append(errs, o.udpFlush.Close())
	}
	errs = append(errs, o.objs.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close observer: %w", err)
	}
	o.log.Info("observer detached")
	return nil
}

// cgroupProg is a program to attach to the pods' cgroup, and its hook's name
// for errors and the start-up line.
type cgroupProg struct {
	prog *ebpf.Program
	typ  ebpf.AttachType
	name string
}

// attachCgroup attaches progs to the cgroup at cgroupPath and keeps their
// links.
func (o *Observer) attachCgroup(cgroupPath string, progs []cgroupProg) error {
	for _, c := range progs {
		l, err := link.AttachCgroup(link.CgroupOptions{Path: cgroupPath, Attach: c.typ, Program: c.prog})
		if err != nil {
			return explainAttach(c.name+" on "+cgroupPath, err)
		}
		o.links = append(o.links, l)
	}
	return nil
}
