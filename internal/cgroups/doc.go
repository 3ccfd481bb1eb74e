// Package cgroups owns what netpol-advisor reads from the cgroup v2 file
// system: where the hierarchy is mounted, the ID of a cgroup (its
// directory's inode number, which bpf_get_current_cgroup_id and
// bpf_skb_cgroup_id return), the pod UID the kubelet wrote into a cgroup's
// path, and a concurrent-safe index from cgroup IDs to pods.
//
// It is plain Linux file-system code with no eBPF dependency, so the
// observer, the agent and the test harnesses share it. Only the cgroup2
// file system is ever walked: on cgroup v1 and hybrid hosts the v1
// hierarchies' inode numbers are not cgroup v2 IDs and may equal one.
package cgroups
