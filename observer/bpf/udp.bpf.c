// SPDX-License-Identifier: GPL-2.0
/* UDP, both sides, from cgroup_skb ingress and egress attached to the cgroup
 * v2 root (4.10+).
 *
 * Who is the client is decided per peer: for each datagram, between the
 * local socket and the remote address and port, never once per socket, so
 * that a gossip socket (serf, memberlist) is a client of the peers it
 * probes and a server of those probing it. udp_role says how; replies (a
 * client receiving, a server sending) are never flows.
 *
 * The count of a UDP flow is the number of datagrams its client side sent:
 * at the client those it sent, at the server those it received. It does not
 * depend on how the datagrams spread over sockets, peers or drains. */

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ROLE_CLIENT 1
#define ROLE_SERVER 2
#define ROLE_PEER 3 /* both: every datagram is a request in its direction */

/* Linux's default ip_local_port_range, which every new network namespace
 * (a pod's) starts with; the loader may set another. */
const volatile __u16 ephemeral_lo = 32768;
const volatile __u16 ephemeral_hi = 60999;

/* A kfunc of 6.2+: where the kernel has it the loader links it and a
 * socket's own bind state is read; elsewhere the weak symbol stays NULL and
 * the socket's port stands in for it. */
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id) __ksym __weak;

/* Cleared by the loader to retry without the kfunc, should a kernel have it
 * but refuse it in cgroup_skb programs. */
const volatile bool use_rdonly_cast = true;

/* The first datagram's direction of socket/peer pairs whose ports do not
 * tell the roles (udp_role); LRU, sized like the flow table. */
struct udp_pair_key {
	__u64 cookie; /* bpf_get_socket_cookie: the local socket */
	__u8 peer[16];
	__u16 peer_port;
	__u8 pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536); /* the loader sets Config.MaxFlows */
	__type(key, struct udp_pair_key);
	__type(value, __u8); /* ROLE_CLIENT or ROLE_SERVER */
} udp_pairs SEC(".maps");

#include "packet.bpf.c"
#include "udpcache.bpf.c"

static __always_inline bool ephemeral(__u16 port)
{
	return port >= ephemeral_lo && port <= ephemeral_hi;
}

/* port_chosen tells whether the socket's local port was given to bind()
 * (SOCK_BINDPORT_LOCK) rather than picked by the kernel: a server's port,
 * or a peer-to-peer one. Without bpf_rdonly_cast the port's range says. */
static __always_inline bool port_chosen(struct bpf_sock *sk, __u16 local_port)
{
	if (use_rdonly_cast && bpf_ksym_exists(bpf_rdonly_cast)) {
		struct sock *s = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
		return BPF_CORE_READ_BITFIELD(s, sk_userlocks) & SOCK_BINDPORT_LOCK;
	}
	return !ephemeral(local_port);
}

/* first_role remembers who sent first between the socket and the peer. */
static __always_inline __u8 first_role(struct __sk_buff *skb, const __u8 *peer, __u16 peer_port,
				       __u8 dir)
{
	struct udp_pair_key k = {.cookie = bpf_get_socket_cookie(skb), .peer_port = peer_port};
	__u8 role = dir == DIR_EGRESS ? ROLE_CLIENT : ROLE_SERVER;
	__u8 *seen;

	__builtin_memcpy(k.peer, peer, 16);
	seen = bpf_map_lookup_elem(&udp_pairs, &k);
	if (seen)
		return *seen;
	if (bpf_map_update_elem(&udp_pairs, &k, &role, BPF_NOEXIST)) {
		seen = bpf_map_lookup_elem(&udp_pairs, &k); /* raced with another CPU */
		if (seen)
			return *seen;
		count(CNT_DROP_SK_STORAGE);
	}
	return role;
}

/* udp_role decides the local socket's role towards one peer. A port given
 * to bind() is a server's (or a peer-to-peer node's), a port in the
 * ephemeral range is a client's. So:
 *   - own port chosen, peer's not ephemeral: peer to peer (gossip on 7946
 *     both ways, or a client that binds its source port): both directions
 *     are requests;
 *   - own port chosen, peer's ephemeral: server (dnsmasq on 53, iperf3's
 *     5201 even after it connect()s to its client);
 *   - own port kernel-picked, peer's not ephemeral, or the socket is
 *     connected to that peer: client (dig, iperf3 -u, statsd clients);
 *   - otherwise (both ports ephemeral-looking) the first datagram seen
 *     between them decides.
 * Only the last rule has history, so an observer started while a stream
 * runs, or a pair forgotten by the LRU, gets the same answer as one that saw
 * the stream begin, whichever direction it sees first. */
static __always_inline __u8 udp_role(struct __sk_buff *skb, struct bpf_sock *sk,
				     const struct datagram *d, __u8 dir)
{
	const __u8 *peer = dir == DIR_EGRESS ? d->dst : d->src;
	__u16 peer_port = dir == DIR_EGRESS ? d->dport : d->sport;
	__u16 local_port = dir == DIR_EGRESS ? d->sport : d->dport;
	bool peer_fixed = !ephemeral(peer_port);

	if (port_chosen(sk, local_port))
		return peer_fixed ? ROLE_PEER : ROLE_SERVER;
	if (peer_fixed || bpf_ntohs(sk->dst_port) == peer_port)
		return ROLE_CLIENT;
	return first_role(skb, peer, peer_port, dir);
}

/* surely_not_udp tells from the packet's first header, read in place
 * (direct packet access, no helper call), that it is no UDP datagram: the
 * TCP packets that make most of these programs' calls leave here. */
static __always_inline bool surely_not_udp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct ipv4_hdr *ip = data;
		return (void *)(ip + 1) <= end && ip->proto != IPPROTO_UDP;
	}
	if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6_hdr *ip = data;
		/* Extension headers are walked by parse. */
		return (void *)(ip + 1) <= end && ip->nexthdr == IPPROTO_TCP;
	}
	return true;
}

static __always_inline void udp_packet(struct __sk_buff *skb, __u8 dir)
{
	struct bpf_sock *sk;
	struct datagram d = {};
	struct flow_key k = {};
	__u8 role, src;

	if (surely_not_udp(skb))
		return;
	sk = skb->sk;
	if (!sk)
		return;
	sk = bpf_sk_fullsock(sk);
	if (!sk || sk->protocol != IPPROTO_UDP)
		return;
	if (!parse(skb, &d)) {
		count(CNT_DROP_PARSE);
		return;
	}
	role = udp_role(skb, sk, &d, dir);
	if (role != ROLE_PEER && role != (dir == DIR_EGRESS ? ROLE_CLIENT : ROLE_SERVER))
		return; /* a reply */
	__builtin_memcpy(k.client, d.src, 16);
	__builtin_memcpy(k.server, d.dst, 16);
	k.server_port = d.dport;
	k.protocol = IPPROTO_UDP;
	k.direction = dir;
	src = dir == DIR_EGRESS ? COMM_CURRENT : COMM_SOCKET;
	if (udp_cache_on) {
		udp_count(skb, sk, &k, d.sport, dir, src);
		return;
	}
	k.cgroup_id = bpf_skb_cgroup_id(skb);
	record(&k, FAIL_NONE, NULL, src, sk);
}

SEC("cgroup_skb/egress")
int udp_egress(struct __sk_buff *skb)
{
	udp_packet(skb, DIR_EGRESS);
	return 1;
}

SEC("cgroup_skb/ingress")
int udp_ingress(struct __sk_buff *skb)
{
	udp_packet(skb, DIR_INGRESS);
	return 1;
}
