package observer

import (
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
)

// The per-socket UDP cache (bpf/udpcache.bpf.c) keeps a stream's datagram
// counts in the socket's own storage and moves them to the flow table when
// the socket closes (cgroup/sock_release) and when flushUDPCache runs the
// storage's iterator, which Drain does first: the drain reads the same
// flows and counts as without the cache.

// udpCacheSupported tells whether the kernel has what the cache needs:
// socket storage in cgroup_sock programs (5.12, which also brought the
// atomic exchange the flush uses) and jiffies in cgroup_skb (5.5).
func udpCacheSupported() bool {
	return features.HaveProgramHelper(ebpf.CGroupSock, asm.FnSkStorageGet) == nil &&
		features.HaveProgramHelper(ebpf.CGroupSKB, asm.FnJiffies64) == nil
}

// openUDPCache makes the iterator link that flushUDPCache runs.
func (o *Observer) openUDPCache() error {
	it, err := link.AttachIter(link.IterOptions{Program: o.objs.UdpFlushAll, Map: o.objs.UdpCache})
	if err != nil {
		return fmt.Errorf("attach the UDP cache's iterator (iter/bpf_sk_storage_map): %w", err)
	}
	o.udpFlush = it
	return nil
}

// attachUDPRelease attaches the flush of a closing socket's counts.
func (o *Observer) attachUDPRelease(cgroupPath string) error {
	l, err := link.AttachCgroup(link.CgroupOptions{Path: cgroupPath, Attach: ebpf.AttachCgroupInetSockRelease, Program: o.objs.UdpRelease})
	if err != nil {
		return explainAttach("cgroup/sock_release on "+cgroupPath, err)
	}
	o.links = append(o.links, l)
	o.hooks = append(o.hooks, fmt.Sprintf("cgroup/sock_release on %s and iter/bpf_sk_storage_map (the UDP socket cache, flushed at close and before each drain)", cgroupPath))
	return nil
}

// flushUDPCache moves every socket's pending UDP counts to the flow table:
// reading the iterator to its end runs the program once per socket.
func (o *Observer) flushUDPCache() error {
	if o.udpFlush == nil {
		return nil
	}
	rd, err := o.udpFlush.Open()
	if err != nil {
		return fmt.Errorf("flush the UDP socket cache: %w", err)
	}
	defer rd.Close()
	if _, err := io.Copy(io.Discard, rd); err != nil {
		return fmt.Errorf("flush the UDP socket cache: %w", err)
	}
	return nil
}
