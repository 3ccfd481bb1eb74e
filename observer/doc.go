// Package observer is the node agent's capture layer: BPF programs that see
// every TCP connect, accept and failed connect and every UDP flow of every
// socket on the node, aggregate them in the kernel, and a Go side that loads
// and attaches them, drains the aggregated records into flow.Observations
// and exports the programs' counters to Prometheus.
//
// Hooks (all available since Linux 5.10 with BTF):
//   - tp_btf/inet_sock_set_state for TCP, both sides;
//   - cgroup_skb ingress and egress on the cgroup v2 root for UDP, the first
//     datagram of a socket deciding whether it is a client or a server.
//
// Counts are aggregated in an LRU hash that Drain empties with batched
// lookup-and-delete; optionally (Config.NotifyNewFlows) a ring buffer
// announces each flow the moment it first enters the table. Every lost event
// is counted in per-CPU counters that NewCollector exports.
//
// Records name the local socket by address and cgroup ID; telling which pod
// that is (by pod IP, or cgroup → pod UID for host-network pods) is the
// resolver's job. This is the only package that imports cilium/ebpf.
package observer
