// SPDX-License-Identifier: GPL-2.0
/* Reading a UDP packet's addresses and ports in cgroup_skb programs, whose
 * data starts at the network header. Included by udp.bpf.c. */

/* datagram is a UDP packet's addresses and ports, in IPv6 form; aligned
 * like the flow key's addresses, so that copying one into the other takes
 * two 8-byte moves instead of sixteen 1-byte ones. */
struct datagram {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
} __attribute__((aligned(8)));

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

/* IPv6 extension headers that may come before UDP (RFC 8200 4.1). */
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH 51
#define NEXTHDR_DEST 60
/* How many extension headers parse_v6 follows: RFC 8200 allows each once
 * (destination options twice), so real packets have few. */
#define IPV6_MAX_EXT 6

struct ipv6_ext {
	__u8 nexthdr, len;
	__be16 frag; /* the fragment header's offset and flags */
};

/* skip_ext moves *off past one extension header of type *nh and sets *nh
 * to the next one; false when it cannot be read or is a non-first fragment
 * (which carries no UDP header). */
static __always_inline bool skip_ext(struct __sk_buff *skb, __u32 *off, __u8 *nh)
{
	struct ipv6_ext e;

	if (bpf_skb_load_bytes(skb, *off, &e, sizeof(e)))
		return false;
	switch (*nh) {
	case NEXTHDR_FRAGMENT:
		if (bpf_ntohs(e.frag) & 0xfff8)
			return false;
		*off += 8;
		break;
	case NEXTHDR_AUTH:
		*off += ((__u32)e.len + 2) * 4;
		break;
	default:
		*off += ((__u32)e.len + 1) * 8;
	}
	*nh = e.nexthdr;
	return true;
}

static __always_inline bool is_ext(__u8 nh)
{
	return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_FRAGMENT ||
	       nh == NEXTHDR_AUTH || nh == NEXTHDR_DEST;
}

static __always_inline bool parse_v6(struct __sk_buff *skb, struct datagram *d)
{
	struct udp_hdr_v6 h;
	__u32 off = sizeof(h.ip);
	__u8 nh;

	/* One copy for a header followed directly by UDP, the common case. */
	if (bpf_skb_load_bytes(skb, 0, &h, sizeof(h)))
		return false;
	__builtin_memcpy(d->src, h.ip.saddr, 16);
	__builtin_memcpy(d->dst, h.ip.daddr, 16);
	nh = h.ip.nexthdr;
	if (nh != IPPROTO_UDP) {
#pragma unroll
		for (int i = 0; i < IPV6_MAX_EXT; i++) {
			if (!is_ext(nh) || !skip_ext(skb, &off, &nh))
				break;
		}
		if (nh != IPPROTO_UDP || bpf_skb_load_bytes(skb, off, h.ports, sizeof(h.ports)))
			return false;
	}
	set_ports(d, h.ports);
	return true;
}

/* parse_direct reads a datagram whose UDP header follows the IP header
 * directly (no IPv4 options or IPv6 extension headers) in place, without
 * a helper call; false when it cannot, and parse copies instead. */
static __always_inline bool parse_direct(struct __sk_buff *skb, struct datagram *d)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct udp_hdr_v4 *h = data;
		if ((void *)(h + 1) > end || h->ip.vihl != 0x45 || h->ip.proto != IPPROTO_UDP)
			return false;
		set_v4(d->src, h->ip.saddr);
		set_v4(d->dst, h->ip.daddr);
		set_ports(d, h->ports);
		return true;
	}
	struct udp_hdr_v6 *h = data;
	if (skb->protocol != bpf_htons(ETH_P_IPV6) || (void *)(h + 1) > end || h->ip.nexthdr != IPPROTO_UDP)
		return false;
	__builtin_memcpy(d->src, h->ip.saddr, 16);
	__builtin_memcpy(d->dst, h->ip.daddr, 16);
	set_ports(d, h->ports);
	return true;
}

/* parse reads the addresses and ports; cgroup_skb data starts at the network
 * header. */
static __always_inline bool parse(struct __sk_buff *skb, struct datagram *d)
{
	if (parse_direct(skb, d))
		return true;
	if (skb->protocol == bpf_htons(ETH_P_IP))
		return parse_v4(skb, d);
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return parse_v6(skb, d);
	return false;
}
