// SPDX-License-Identifier: GPL-2.0
/* UDP, both sides, from cgroup_skb ingress and egress attached to the cgroup
 * v2 root (4.10+; socket storage 5.2+). The first datagram of a socket
 * decides its role: sent first, it is a client; received first, a server.
 * Replies (a client receiving, a server sending) are never flows. No port
 * heuristics: DNS on 53 and statsd on 8125 are found the same way.
 *
 * A socket's flow is counted again only when its peer changes, and its
 * last-seen time refreshed at most once a second, so a busy socket costs one
 * socket-storage lookup per datagram. */

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ROLE_CLIENT 1
#define ROLE_SERVER 2
#define REFRESH_NS 1000000000ULL

struct udp_sock_state {
	__u8 role;
	__u8 pad[5];
	__u16 peer_port;
	__u8 peer[16];
	__u64 refreshed_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct udp_sock_state);
} udp_sockets SEC(".maps");

#include "packet.bpf.c"

/* udp_state returns the storage of the packet's UDP socket, or NULL for
 * anything else. */
static __always_inline struct udp_sock_state *udp_state(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	struct udp_sock_state *st;

	if (!sk)
		return NULL;
	sk = bpf_sk_fullsock(sk);
	if (!sk || sk->protocol != IPPROTO_UDP)
		return NULL;
	st = bpf_sk_storage_get(&udp_sockets, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st)
		count(CNT_DROP_SK_STORAGE);
	return st;
}

static __always_inline bool eq16(const __u8 *a, const __u8 *b)
{
	__u8 diff = 0;
#pragma unroll
	for (int i = 0; i < 16; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* udp_seen records the datagram if the socket's peer changed or its flow was
 * not refreshed for a second. */
static __always_inline void udp_seen(struct __sk_buff *skb, struct udp_sock_state *st,
				     struct datagram *d, __u8 dir)
{
	__u8 *peer = dir == DIR_EGRESS ? d->dst : d->src;
	__u16 peer_port = dir == DIR_EGRESS ? d->dport : d->sport;
	bool same = st->peer_port == peer_port && eq16(st->peer, peer);
	__u64 now = bpf_ktime_get_ns();
	struct flow_key k = {};
	char comm[16] = {};

	if (same && now - st->refreshed_ns < REFRESH_NS)
		return;
	st->refreshed_ns = now;
	__builtin_memcpy(k.local, dir == DIR_EGRESS ? d->src : d->dst, 16);
	__builtin_memcpy(k.client, d->src, 16);
	__builtin_memcpy(k.server, d->dst, 16);
	k.server_port = d->dport;
	k.protocol = IPPROTO_UDP;
	k.direction = dir;
	k.cgroup_id = bpf_skb_cgroup_id(skb);
	if (same) {
		struct flow_value *v = bpf_map_lookup_elem(&flows, &k);
		if (v) {
			v->last_ns = now;
			return;
		}
	}
	__builtin_memcpy(st->peer, peer, 16);
	st->peer_port = peer_port;
	if (dir == DIR_EGRESS && comm_in_cgroup_skb)
		bpf_get_current_comm(comm, sizeof(comm));
	record(&k, false, dir == DIR_EGRESS ? comm : NULL);
}

static __always_inline void udp_packet(struct __sk_buff *skb, __u8 dir)
{
	struct udp_sock_state *st = udp_state(skb);
	struct datagram d = {};
	__u8 role = dir == DIR_EGRESS ? ROLE_CLIENT : ROLE_SERVER;

	if (!st)
		return;
	if (!st->role)
		st->role = role;
	if (st->role != role)
		return; /* a reply */
	if (!parse(skb, &d)) {
		count(CNT_DROP_PARSE);
		return;
	}
	udp_seen(skb, st, &d, dir);
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
