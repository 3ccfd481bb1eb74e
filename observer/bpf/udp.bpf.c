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

/* datagram is a UDP packet's addresses and ports, in IPv6 form. */
struct datagram {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
};

struct ipv4_hdr {
	__u8 vihl, tos;
	__be16 len, id, frag;
	__u8 ttl, proto;
	__be16 csum;
	__be32 saddr, daddr;
};

struct ipv6_hdr {
	__be32 vtcfl;
	__be16 len;
	__u8 nexthdr, hop;
	__u8 saddr[16], daddr[16];
};

/* udp_hdr_v4 and udp_hdr_v6 hold a network header and the UDP ports, as
 * one bpf_skb_load_bytes reads them. */
struct udp_hdr_v4 {
	struct ipv4_hdr ip;
	__be16 ports[2];
};

struct udp_hdr_v6 {
	struct ipv6_hdr ip;
	__be16 ports[2];
};

static __always_inline void set_ports(struct datagram *d, __be16 ports[2])
{
	d->sport = bpf_ntohs(ports[0]);
	d->dport = bpf_ntohs(ports[1]);
}

static __always_inline bool parse_v4(struct __sk_buff *skb, struct datagram *d)
{
	struct udp_hdr_v4 h;
	__u32 l4;

	/* One copy for the common 20-byte header, a second one for options. */
	if (bpf_skb_load_bytes(skb, 0, &h, sizeof(h)) || h.ip.proto != IPPROTO_UDP)
		return false;
	set_v4(d->src, h.ip.saddr);
	set_v4(d->dst, h.ip.daddr);
	l4 = (h.ip.vihl & 0x0f) * 4;
	if (l4 != sizeof(h.ip) && bpf_skb_load_bytes(skb, l4, h.ports, sizeof(h.ports)))
		return false;
	set_ports(d, h.ports);
	return true;
}

/* parse reads the addresses and ports; cgroup_skb data starts at the network
 * header. IPv6 extension headers before UDP are not followed. */
static __always_inline bool parse(struct __sk_buff *skb, struct datagram *d)
{
	if (skb->protocol == bpf_htons(ETH_P_IP))
		return parse_v4(skb, d);
	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return false;
	struct udp_hdr_v6 h;
	if (bpf_skb_load_bytes(skb, 0, &h, sizeof(h)) || h.ip.nexthdr != IPPROTO_UDP)
		return false;
	__builtin_memcpy(d->src, h.ip.saddr, 16);
	__builtin_memcpy(d->dst, h.ip.daddr, 16);
	set_ports(d, h.ports);
	return true;
}

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
