// SPDX-License-Identifier: GPL-2.0
/* The process name of a server's socket, for its ingress flows. Included by
 * observer.c.
 *
 * An accepted TCP connection reaches ESTABLISHED in softirq context and a
 * received datagram passes cgroup_skb ingress there too: no task is the
 * server's, so without this an ingress flow has no process name. The name
 * is taken where the server's task is current and kept in the socket's
 * local storage:
 *   - a TCP listener at listen() (CLOSE -> LISTEN runs in the listening
 *     task, inet_csk_listen_start); BPF_F_CLONE copies the storage to every
 *     connection accepted on it (sk_clone_lock -> bpf_sk_storage_clone),
 *     https://elixir.bootlin.com/linux/v6.18/source/net/core/bpf_sk_storage.c
 *   - a UDP socket at bind() (cgroup/post_bind4/6, in the binding task).
 * Sockets bound or listening before the observer started have none: their
 * flows keep an empty name, as before.
 *
 * Kernel features: socket storage in tp_btf programs (5.11) and in
 * cgroup_sock programs (5.12), BPF_F_CLONE (5.4). The loader turns it on
 * where the kernel has them (sock_comm_on); elsewhere the helpers are
 * pruned and ingress flows carry no name. */

#define TCP_LISTEN 10

/* Set by the loader. */
const volatile bool sock_comm_on = false;
/* Set by the loader where cgroup_sock programs may call
 * bpf_get_current_task: the process's name, not the binding thread's. */
const volatile bool task_in_cgroup_sock = false;

struct sock_comm {
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct sock_comm);
} sock_comms SEC(".maps");

/* socket_comm copies the name kept on sk, if any, into comm (zeroed). */
static __always_inline void socket_comm(void *sk, char comm[16])
{
	struct sock_comm *c = bpf_sk_storage_get(&sock_comms, sk, 0, 0);

	if (c)
		__builtin_memcpy(comm, c->comm, 16);
}

/* keep_comm makes sk's storage, for the name the caller writes in it. */
static __always_inline struct sock_comm *keep_comm(void *sk)
{
	struct sock_comm *c = bpf_sk_storage_get(&sock_comms, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	if (!c)
		count(CNT_DROP_SK_STORAGE);
	return c;
}

/* tcp_listening keeps the listening process's name on the listener, from
 * tcp_state (a tracing program: process_comm may read the task). */
static __always_inline void tcp_listening(struct sock *sk)
{
	struct sock_comm *c;

	if (!sock_comm_on)
		return;
	c = keep_comm(sk);
	if (c)
		process_comm(c->comm);
}

/* udp_bound keeps the binding process's name on a UDP socket. */
static __always_inline void udp_bound(struct bpf_sock *sk)
{
	struct sock_comm *c;

	if (!sock_comm_on || sk->protocol != IPPROTO_UDP)
		return;
	c = keep_comm(sk);
	if (!c)
		return;
	if (task_in_cgroup_sock)
		process_comm(c->comm);
	else
		bpf_get_current_comm(c->comm, sizeof(c->comm));
}

SEC("cgroup/post_bind4")
int udp_bind4(struct bpf_sock *sk)
{
	udp_bound(sk);
	return 1;
}

SEC("cgroup/post_bind6")
int udp_bind6(struct bpf_sock *sk)
{
	udp_bound(sk);
	return 1;
}
