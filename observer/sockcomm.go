package observer

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
)

// A server's process name reaches its ingress flows through its socket's
// local storage (bpf/sockcomm.bpf.c): kept at listen() and bind(), where the
// server's task is current, and read where a connection is accepted or a
// datagram received, where no task is.

// sockCommSupported tells whether the kernel has socket storage in
// cgroup_sock programs (5.12; tracing programs got it in 5.11).
func sockCommSupported() bool {
	return features.HaveProgramHelper(ebpf.CGroupSock, asm.FnSkStorageGet) == nil &&
		features.HaveProgramHelper(ebpf.CGroupSock, asm.FnGetCurrentComm) == nil
}

// taskInCgroupSock tells whether cgroup_sock programs may read the current
// task, for the process's name rather than the binding thread's.
func taskInCgroupSock() bool {
	return features.HaveProgramHelper(ebpf.CGroupSock, asm.FnGetCurrentTask) == nil &&
		features.HaveProgramHelper(ebpf.CGroupSock, asm.FnProbeReadKernel) == nil
}

// attachSockComm attaches the programs that keep a UDP socket's process
// name at bind(); tcp_state keeps a TCP listener's at listen().
func (o *Observer) attachSockComm(cgroupPath string) error {
	if err := o.attachCgroup(cgroupPath, []cgroupProg{
		{o.objs.UdpBind4, ebpf.AttachCGroupInet4PostBind, "cgroup/post_bind4"},
		{o.objs.UdpBind6, ebpf.AttachCGroupInet6PostBind, "cgroup/post_bind6"},
	}); err != nil {
		return err
	}
	o.hooks = append(o.hooks, fmt.Sprintf("cgroup/post_bind4 and post_bind6 on %s, and tp_btf/inet_sock_set_state at listen (servers' process names, in socket storage cloned to accepted connections)", cgroupPath))
	return nil
}
