// SPDX-License-Identifier: GPL-2.0
/* Moving the counts of the per-socket UDP cache to the flow table: at a
 * socket's close (udp_release) and before each drain (udp_flush_all).
 * Included by udpcache.bpf.c. */

static __always_inline void count_n(enum counter c, __u64 n)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);
	if (v)
		*v += n;
}

/* settle takes the datagrams that ICMP errors failed meanwhile (owed) off
 * the n being added to v, and returns what is left to count. */
static __always_inline __u64 settle(struct flow_value *v, __u64 n)
{
	__u64 owed;

	if (!v->owed)
		return n;
	owed = __sync_lock_test_and_set(&v->owed, 0);
	if (owed > n) {
		__sync_fetch_and_add(&v->owed, owed - n);
		return 0;
	}
	return n - owed;
}

/* udp_add adds n pending datagrams of slot s to its flow, making the entry
 * again, with the slot's process name, if a drain took it. */
static __always_inline void udp_add(const struct udp_slot *s, struct flow_key *k, __u64 n)
{
	struct flow_value *v = bpf_map_lookup_elem(&flows, k);
	__u64 first = jiffies_ns(s->first_j), last = jiffies_ns(s->last_j);

	if (!v) {
		struct flow_value nv = {.count = n, .first_ns = first, .last_ns = last};
		__builtin_memcpy(nv.comm, s->comm, sizeof(nv.comm));
		if (bpf_map_update_elem(&flows, k, &nv, BPF_NOEXIST) == 0) {
			count_n(CNT_EVENTS, n);
			count(CNT_FLOWS_CREATED);
			if (notify_new_flows)
				notify(k, &nv, FAIL_NONE);
			return;
		}
		v = bpf_map_lookup_elem(&flows, k); /* raced with another CPU */
		if (!v) {
			count(CNT_DROP_FLOW_UPDATE);
			return;
		}
	}
	count_n(CNT_EVENTS, n);
	__sync_fetch_and_add(&v->count, settle(v, n));
	if (!v->first_ns)
		v->first_ns = first;
	if (last > v->last_ns)
		v->last_ns = last;
}

/* A slot is written once (claim_slot) and keeps its flow for the socket's
 * life, so a pending datagram can only be the slot's flow's. The exchange
 * on pending moves each datagram once, whichever of the close and the
 * drain's iterator flushes it (the iterator, a tracing program, could not
 * take a bpf_spin_lock). */
static __always_inline void udp_flush(struct udp_slot *s)
{
	struct flow_key k;
	__u64 n;

	if (!s->pending)
		return;
	n = __sync_lock_test_and_set(&s->pending, 0);
	if (!n)
		return;
	__builtin_memcpy(&k, &s->key, sizeof(k));
	udp_add(s, &k, n);
}

/* claim_slot points an empty slot at flow k; a slot already claimed (by
 * this CPU earlier, or by another one just now) keeps its flow. */
static __always_inline void claim_slot(struct udp_slot *s, const struct flow_key *k, const char comm[16])
{
	if (s->state != SLOT_EMPTY ||
	    __sync_val_compare_and_swap(&s->state, SLOT_EMPTY, SLOT_FILLING) != SLOT_EMPTY)
		return;
	__builtin_memcpy(&s->key, k, sizeof(*k));
	__builtin_memcpy(s->comm, comm, sizeof(s->comm));
	__sync_fetch_and_add(&s->state, SLOT_READY - SLOT_FILLING);
}

/* udp_close marks a closing socket's slot, so that the datagrams still
 * counted on it go to the table (udp_count), then moves its counts there.
 * The fetch (its result used) orders the mark before the exchange. */
static __always_inline void udp_close(struct udp_slot *s)
{
	if (__sync_fetch_and_or(&s->state, SLOT_CLOSED) & SLOT_READY)
		udp_flush(s);
}

/* A UDP socket closes: its storage goes with it, its counts to the table.
 * Most sockets never had storage (a DNS lookup's, a TCP client's): they
 * leave before the helper call (may_have_cache), so a one-shot socket pays
 * the cache only the call of this program. The storage pointer is read
 * before the protocol: ~10-40 ns less per TCP socket (BenchmarkTCPCostModel,
 * both orders alternating), the protocol's line being the colder one at
 * close. */
SEC("cgroup/sock_release")
int udp_release(struct bpf_sock *sk)
{
	struct udp_cache *c;

	if (!udp_cache_on || !may_have_cache(sk) || sk->protocol != IPPROTO_UDP)
		return 1;
	c = bpf_sk_storage_get(&udp_cache, sk, 0, 0);
	if (c) {
		udp_close(&c->slot[DIR_EGRESS]);
		udp_close(&c->slot[DIR_INGRESS]);
	}
	return 1;
}

/* Run by userspace before each drain, over every socket's storage. */
SEC("iter/bpf_sk_storage_map")
int udp_flush_all(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct udp_cache *c = ctx->value;

	if (!udp_cache_on || !c)
		return 0;
	udp_flush(&c->slot[DIR_EGRESS]);
	udp_flush(&c->slot[DIR_INGRESS]);
	return 0;
}
