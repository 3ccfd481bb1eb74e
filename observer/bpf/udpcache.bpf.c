// SPDX-License-Identifier: GPL-2.0
/* A per-socket cache of UDP counts, so that a stream of datagrams between a
 * socket and one peer touches the shared flow table once per drain instead
 * of once per datagram. Included by udp.bpf.c.
 *
 * A socket admitted to the cache (a stream: cache_after below) carries, in
 * socket-local storage, one slot per direction: the flow of the datagram
 * that admitted it and how many datagrams of that flow have come since
 * (pending). A slot keeps its flow for the socket's life: an unconnected
 * socket's datagrams to or from other peers go to the flow table as
 * without the cache, which keeps every count the flow's own when several
 * CPUs use one socket. Until its admission a socket's datagrams go to the
 * flow table at once, so a flow is in the table (and announced) from its
 * first datagram on. Pending counts reach the flow table:
 *   - at the socket's close (cgroup/sock_release, udp_release), which
 *     also marks the slots closed: the datagrams that still reach the
 *     socket before it is unhashed go to the table;
 *   - before every drain: userspace runs the iterator udp_flush_all over
 *     every socket's storage, so an idle socket's counts are read too.
 * So the drain sees the same flows and counts as without the cache.
 *
 * Kernel features: BPF_MAP_TYPE_SK_STORAGE in cgroup_skb (5.2) and
 * cgroup_sock programs (5.12), its iterator (5.9), bpf_jiffies64 (5.5),
 * BPF_XCHG and BPF_CMPXCHG (5.12). The loader turns the cache on
 * where the kernel has them; elsewhere every datagram goes to the flow
 * table. */

/* Set by the loader. */
const volatile bool udp_cache_on = false;

struct udp_slot {
	struct flow_key key; /* zero: empty */
	__u64 pending;       /* datagrams counted here, not yet in the table */
	__u64 first_j;       /* jiffies of the first pending one (jiffies_ns) */
	__u64 last_j;        /* of the last one */
	char comm[16];       /* the flow's process name, for a new entry */
	__u64 state;         /* enum slot_state */
};

enum slot_state {
	SLOT_EMPTY = 0,
	SLOT_FILLING = 1, /* claimed: its key is being written */
	SLOT_READY = 2,   /* its key is set, for good */
	/* A flag: the socket is closing (udp_release). Datagrams then go to
	 * the table: the hook runs in inet_release before udp_lib_close
	 * unhashes the socket, so some still arrive, and the storage is freed
	 * with no flush after. */
	SLOT_CLOSED = 4,
};

struct udp_cache {
	struct udp_slot slot[2]; /* by enum direction */
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct udp_cache);
} udp_cache SEC(".maps");

/* may_have_cache tells whether the socket has any local storage, from the
 * socket itself where the kernel lets the program read it (bpf_rdonly_cast,
 * 6.2+): most sockets have none, and the helper call that would find
 * nothing is what the cache costs them. */
static __always_inline bool may_have_cache(struct bpf_sock *sk)
{
	if (use_rdonly_cast && bpf_ksym_exists(bpf_rdonly_cast)) {
		struct sock *s = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
		return s->sk_bpf_storage != NULL;
	}
	return true;
}

#include "udpflush.bpf.c"

/* same_edge compares two keys of one socket: all but the cgroup ID, which
 * a socket keeps for its life. */
static __always_inline bool same_edge(const struct flow_key *a, const struct flow_key *b)
{
	const __u64 *x = (const void *)a, *y = (const void *)b;

	return x[1] == y[1] && x[2] == y[2] && x[3] == y[3] && x[4] == y[4] && x[5] == y[5];
}

/* A socket gets its storage at the cache_after-th datagram in a row that it
 * counts on one flow entry. Making it costs about as much as twenty
 * datagrams counted in the table cost more than in the cache (~1.5 us
 * against ~80 ns each: BenchmarkUDPCacheCost), so a stream gets it early in
 * its life and a socket of a few datagrams (a DNS lookup: a query or two,
 * maybe retries) never does. Tests lower it to reach the cache with fewer
 * datagrams. */
const volatile __u32 cache_after = 32;

/* admit tells whether the socket pair of a datagram counted on entry v,
 * told by the client's port (the one part of the pair the key lacks), has
 * now counted cache_after in a row there. The entry's fields are a hint
 * only (unlocked): a race costs a socket its storage, or gets it a datagram
 * late, never a count. */
static __always_inline bool admit(struct flow_value *v, __u16 client_port)
{
	__u64 sock = client_port;

	if (v->last_sock != sock) {
		v->last_sock = sock;
		v->streak = 1;
		return false;
	}
	return ++v->streak >= cache_after;
}

/* udp_count counts one datagram of flow k (its cgroup ID not set yet),
 * from client_port, on socket sk: in the socket's slot when it is the slot's flow, else in the
 * table. */
static __always_inline void udp_count(struct __sk_buff *skb, struct bpf_sock *sk, struct flow_key *k,
				      __u16 client_port, __u8 dir, __u8 src)
{
	struct udp_cache *c = may_have_cache(sk) ? bpf_sk_storage_get(&udp_cache, sk, 0, 0) : NULL;
	struct flow_value *v;
	struct udp_slot *s;
	__u64 now, was;

	if (c) {
		s = &c->slot[dir & 1];
		/* The key is written once, over zeros, before the state turns
		 * ready: a partly seen key cannot match another flow's. */
		if (s->state == SLOT_READY && same_edge(&s->key, k)) {
			now = bpf_jiffies64();
			if (!s->pending)
				s->first_j = now;
			s->last_j = now;
			was = __sync_fetch_and_add(&s->pending, 1);
			/* The fetch orders the add before the read of state,
			 * as udp_release marks the slot closed before it takes
			 * pending: either its flush takes this datagram, or
			 * this one sees the mark and moves itself. */
			barrier_var(was);
			if (s->state != SLOT_READY)
				udp_flush(s);
			return;
		}
	}
	k->cgroup_id = bpf_skb_cgroup_id(skb);
	v = record(k, FAIL_NONE, NULL, src, sk);
	if (!v)
		return;
	if (!c) {
		if (!admit(v, client_port))
			return;
		c = bpf_sk_storage_get(&udp_cache, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!c) {
			count(CNT_DROP_SK_STORAGE);
			return;
		}
	}
	claim_slot(&c->slot[dir & 1], k, v->comm);
}
