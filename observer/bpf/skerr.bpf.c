// SPDX-License-Identifier: GPL-2.0
/* UDP's form of a refused connect: an ICMP error (port unreachable, host
 * unreachable, administratively prohibited) for a datagram of a connected
 * UDP socket. __udp4_lib_err and __udp6_lib_err set sk_err and report it,
 * which fires sock:inet_sk_error_report (5.14+):
 * https://elixir.bootlin.com/linux/v6.1/source/net/ipv4/udp.c (__udp4_lib_err)
 * Unconnected sockets hear of such errors only with IP_RECVERR, so their
 * refusals stay unseen. The same report on a connecting TCP socket marks
 * its connect unreachable (tcpfail.bpf.c).
 *
 * A BTF tracepoint (tp_btf): the socket's fields are plain loads. It was a
 * raw tracepoint, whose every read is a bpf_probe_read_kernel call: ~260 ns
 * a call against ~95 for tcp_receive_reset's tp_btf, and it runs at every
 * RST a TCP socket takes, not only at failed connects (BenchmarkTCPCostModel).
 * On kernels without the tracepoint (before 5.14) the loader puts a stand-in
 * that does nothing in its place, never attached (open.go). It runs in
 * softirq context, so everything comes from the socket. */

#define EACCES 13
#define ENETUNREACH 101
#define EHOSTUNREACH 113

static __always_inline __u8 datagram_failure(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return FAIL_REFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EACCES:
		return FAIL_UNREACHABLE;
	}
	return FAIL_NONE; /* e.g. EMSGSIZE: the path MTU, not reachability */
}

/* udp_error_key fills k with the egress flow of the connected socket. */
static __always_inline bool udp_error_key(const struct sock *sk, struct flow_key *k)
{
	const struct sock_common *skc = &sk->__sk_common;
	__u16 dport = skc->skc_dport;

	if (!dport)
		return false;
	if (skc->skc_family == AF_INET) {
		set_v4(k->client, skc->skc_rcv_saddr);
		set_v4(k->server, skc->skc_daddr);
	} else if (skc->skc_family == AF_INET6) {
		copy16(k->client, &skc->skc_v6_rcv_saddr);
		copy16(k->server, &skc->skc_v6_daddr);
	} else {
		return false;
	}
	k->server_port = bpf_ntohs(dport);
	k->protocol = IPPROTO_UDP;
	k->direction = DIR_EGRESS;
	k->cgroup_id = sock_cgroup_id((struct sock *)sk);
	return true;
}

/* The failed datagram was counted when it was sent: move it from count to
 * failed, as a refused connect never counts as a connection. */
SEC("tp_btf/inet_sk_error_report")
int BPF_PROG(sk_error, const struct sock *sk)
{
	__u16 proto = sk->sk_protocol;
	struct flow_key k = {};
	struct flow_value *v;
	__u8 fail;

	if (proto == IPPROTO_TCP) {
		tcp_connect_error(sk); /* tcpfail.bpf.c */
		return 0;
	}
	if (proto != IPPROTO_UDP)
		return 0;
	fail = datagram_failure(sk->sk_err);
	if (fail == FAIL_NONE || !udp_error_key(sk, &k))
		return 0;
	/* A server's socket connected to its client (iperf3 does that) hears
	 * that the client went away: its replies were never a flow. The same
	 * rule as udp_role: a port given to bind() facing an ephemeral one. */
	if ((BPF_CORE_READ_BITFIELD(sk, sk_userlocks) & SOCK_BINDPORT_LOCK) &&
	    ephemeral(k.server_port))
		return 0;
	v = bpf_map_lookup_elem(&flows, &k);
	if (v && v->count > 0) {
		__sync_fetch_and_add(&v->count, -1);
		add_to(&k, v, fail);
		return 0;
	}
	record(&k, fail, NULL, COMM_NONE, NULL);
	/* With the UDP cache the datagram's count may still wait in the
	 * socket's slot: its flush takes it off (udpcache.bpf.c, settle). */
	if (udp_cache_on && (v = bpf_map_lookup_elem(&flows, &k)))
		__sync_fetch_and_add(&v->owed, 1);
	return 0;
}
