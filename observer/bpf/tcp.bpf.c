// SPDX-License-Identifier: GPL-2.0
/* TCP, both sides, from the socket state tracepoint (tp_btf: 5.5+ with BTF).
 * https://elixir.bootlin.com/linux/v5.10/source/include/trace/events/sock.h
 *
 *   CLOSE    -> SYN_SENT     connect() in the connecting task: the flow's
 *                            entry is made now, with the process name and
 *                            no counts yet (a pending connect)
 *   SYN_SENT -> ESTABLISHED  connect succeeded (egress)
 *   SYN_SENT -> CLOSE        connect failed: refused, timed out, unreachable
 *                            (connect_failure, tcpfail.bpf.c)
 *   SYN_RECV -> ESTABLISHED  a connection was accepted (ingress), with the
 *                            name its listener kept at CLOSE -> LISTEN, in
 *                            the listening task (sockcomm.bpf.c)
 *
 * The transitions from SYN_SENT and SYN_RECV run in softirq or timer
 * context, where the current task is unrelated: addresses and the cgroup come from the socket itself. Every
 * other transition (most of them: closing, FIN_WAIT, ...) returns before
 * the socket is touched. */

/* TCP states and errno values: tcpfail.bpf.c. */

/* No per-socket state (only a failing connect gets a mark, tcpfail.bpf.c):
 * the socket has both addresses and its cgroup from SYN_SENT on, so the
 * pending connect is its flow's entry itself. That
 * keeps every process name however many connects wait (a policy that drops
 * them keeps each about two minutes), and costs one flow lookup per connect
 * instead of an insert, a lookup and a delete in a table of sockets. */

/* sock_cgroup_id returns the cgroup v2 ID the socket was created in (or
 * inherited from its listener, for accepted sockets). tp_btf arguments are
 * BTF pointers: fields are read directly (a plain load, with faults
 * handled by the kernel) instead of through bpf_probe_read_kernel calls. */
static __always_inline __u64 sock_cgroup_id(struct sock *sk)
{
	if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup)) {
		struct cgroup *cg = sk->sk_cgrp_data.cgroup;
		return cg ? cg->kn->id : 0;
	}
	/* Before 5.15: the low bit set means the u64 holds v1 data instead. */
	struct sock_cgroup_data___old *old = (void *)&sk->sk_cgrp_data;
	__u64 val = BPF_CORE_READ(old, val);
	if (!val || (val & 1))
		return 0;
	return BPF_CORE_READ((struct cgroup *)val, kn, id);
}

static __always_inline void copy16(__u8 dst[16], const struct in6_addr *src)
{
	/* Loads of the array's own element size, which every kernel's BTF
	 * access check accepts; dst is 8-byte aligned in struct flow_key. */
	__u32 *d = (__u32 *)dst;
	d[0] = src->in6_u.u6_addr32[0];
	d[1] = src->in6_u.u6_addr32[1];
	d[2] = src->in6_u.u6_addr32[2];
	d[3] = src->in6_u.u6_addr32[3];
}

static __always_inline bool v4_mapped(const struct in6_addr *a)
{
	return a->in6_u.u6_addr32[0] == 0 && a->in6_u.u6_addr32[1] == 0 &&
	       a->in6_u.u6_addr32[2] == bpf_htonl(0xffff);
}

/* tcp_key fills k from the socket; false for families it does not know. */
static __always_inline bool tcp_key(struct sock *sk, struct flow_key *k, __u8 dir)
{
	struct sock_common *skc = &sk->__sk_common;
	__u16 family = skc->skc_family;
	__u8 *local = dir == DIR_EGRESS ? k->client : k->server;
	__u8 *remote = dir == DIR_EGRESS ? k->server : k->client;

	if (family == AF_INET) {
		set_v4(local, skc->skc_rcv_saddr);
		set_v4(remote, skc->skc_daddr);
	} else if (family == AF_INET6 && v4_mapped(&skc->skc_v6_daddr)) {
		/* An IPv4 peer of a dual-stack socket: tcp_v6_connect hands it to
		 * tcp_v4_connect, which fills the IPv4 fields before SYN_SENT and
		 * the mapped IPv6 source only after; Go unmaps. */
		set_v4(local, skc->skc_rcv_saddr);
		set_v4(remote, skc->skc_daddr);
	} else if (family == AF_INET6) {
		copy16(local, &skc->skc_v6_rcv_saddr);
		copy16(remote, &skc->skc_v6_daddr);
	} else {
		return false;
	}
	k->server_port = dir == DIR_EGRESS ? bpf_ntohs(skc->skc_dport) : skc->skc_num;
	k->protocol = IPPROTO_TCP;
	k->direction = dir;
	k->cgroup_id = sock_cgroup_id(sk);
	return true;
}

/* tcp_connecting makes the flow entry of a connect in SYN_SENT, with the
 * connecting process's name, unless the flow has one already. */
static __always_inline void tcp_connecting(struct sock *sk)
{
	struct flow_key k = {};

	if (!tcp_key(sk, &k, DIR_EGRESS) || bpf_map_lookup_elem(&flows, &k))
		return;
	/* first_ns stays 0 until the first count (bump). */
	struct flow_value nv = {.last_ns = flow_clock()};
	process_comm(nv.comm);
	if (bpf_map_update_elem(&flows, &k, &nv, BPF_NOEXIST) == 0)
		count(CNT_FLOWS_CREATED);
}

/* tcp_connect_done counts the connect on the entry made at SYN_SENT. Drain
 * puts back the entries of pending connects; only one evicted from a full
 * table is gone, and then the flow has no process name. */
static __always_inline void tcp_connect_done(struct sock *sk, __u8 fail)
{
	struct flow_key k = {};
	struct flow_value *v;

	if (!tcp_key(sk, &k, DIR_EGRESS))
		return;
	v = bpf_map_lookup_elem(&flows, &k);
	if (v) {
		add_to(&k, v, fail);
		return;
	}
	count(CNT_NO_CONNECT_COMM);
	record(&k, fail, NULL, COMM_NONE, NULL);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcp_state, struct sock *sk, int oldstate, int newstate)
{
	/* The states first: they are in the context, the socket is not. */
	if (newstate != TCP_SYN_SENT && oldstate != TCP_SYN_SENT && oldstate != TCP_SYN_RECV &&
	    newstate != TCP_LISTEN)
		return 0;
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		tcp_connecting(sk);
	} else if (oldstate == TCP_SYN_SENT) {
		if (newstate == TCP_ESTABLISHED)
			tcp_connect_done(sk, FAIL_NONE);
		else if (newstate == TCP_CLOSE)
			tcp_connect_done(sk, connect_failure(sk));
	} else if (newstate == TCP_LISTEN) {
		tcp_listening(sk);
	} else if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED) {
		struct flow_key k = {};
		if (tcp_key(sk, &k, DIR_INGRESS))
			record(&k, FAIL_NONE, NULL, COMM_SOCKET, sk);
	}
	return 0;
}
