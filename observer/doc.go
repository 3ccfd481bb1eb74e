// Package observer is the node agent's capture layer: BPF programs that see
// every TCP connect, accept and failed connect and every UDP flow of every
// socket on the node, aggregate them in the kernel, and a Go side that loads
// and attaches them, drains the aggregated records into flow.Observations
// and exports the programs' counters to Prometheus.
//
// Hooks (all available since Linux 5.10 with BTF):
//   - tp_btf/inet_sock_set_state for TCP, both sides: a connect that ends in
//     CLOSE is failed, as refused (RST: sk_err ECONNREFUSED), timed out (no
//     answer before the kernel's or the program's timeout) or unreachable
//     (an ICMP error);
//   - cgroup_skb ingress and egress on the cgroup v2 root for UDP;
//   - tp_btf/inet_sk_error_report (5.14+; before, a stand-in is loaded in
//     its place and not attached, and the observer says so) for
//     the ICMP errors of connected UDP sockets: a datagram to a closed port
//     is the UDP form of a refused connect and counts as failed, not sent;
//   - cgroup/sock_release on the same root and an iterator over a socket
//     storage map (5.12+; without them every datagram updates the flow
//     table) for the per-socket UDP cache: a stream's datagrams are counted
//     in the socket's own storage and reach the flow table when it closes
//     and before every drain.
//
// # UDP
//
// Client and server are decided per local socket and remote address and
// port, never per socket, so a gossip socket (serf, memberlist) is a client
// of the peers it probes and a server of those probing it. The ports decide
// where they can: a port given to bind() (the kernel's SOCK_BINDPORT_LOCK;
// on kernels before 6.2, without bpf_rdonly_cast, a port outside the
// ephemeral range 32768-60999) facing a port outside that range is peer to
// peer, and every datagram is a request in its own direction; facing an
// ephemeral port it is a server; a kernel-picked port facing a fixed one, or
// connect()ed to its peer, is a client. Only between two ephemeral-looking
// ports does the first datagram seen decide. So an observer started while a
// stream runs records it the right way round.
//
// The count of a UDP flow is the number of datagrams its client side sent:
// at the client those it sent, at the server those it received (replies are
// never counted, between peers every datagram is a request). It is the same
// for one socket streaming across many drains, for clients interleaving at
// one server and for a sender going round-robin over servers. A TCP flow's
// count is its connections.
//
// The process of a flow is its thread-group leader's name, not the
// sending thread's. An egress flow names the connecting or sending process;
// an ingress flow the server's, kept on its socket when it listened (TCP,
// copied to each accepted connection) or bound (UDP), since the accept and
// the datagram's arrival run where no task of its own is current. A server
// whose socket predates the observer, or a kernel before 5.12, leaves it
// empty.
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
