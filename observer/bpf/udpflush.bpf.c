// SPDX-License-Identifier: GPL-2.0
/* Moving the counts of the per-socket UDP cache to the flow table: at a peer
 * change (udp_count), at a socket's close (udp_release) and before each drain
 * (udp_flush_all). Included by udpcache.bpf.c. */

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

	if (!v) {
		struct flow_value nv = {.count = n, .first_ns = s->first_ns, .last_ns = s->last_ns};
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
		v->first_ns = s->first_ns;
	if (s->last_ns > v->last_ns)
		v->last_ns = s->last_ns;
}

/* The slot is not locked: the drain's iterator, a tracing program, cannot
 * take a bpf_spin_lock. The exchange on pending moves each datagram once,
 * whichever of the datapath, the close and the iterator flushes it; the
 * key is read under a sequence count, so that a flush on another CPU while
 * the socket's peer changes never reads half of each key. (It may then
 * move the few datagrams counted in those nanoseconds to the socket's
 * other flow; none is lost or counted twice.) The atomic reads are full
 * barriers on every JIT. */
static __always_inline __u64 slot_seq(struct udp_slot *s)
{
	return __sync_fetch_and_add(&s->seq, 0);
}

/* set_slot points the slot at flow k. */
static __always_inline void set_slot(struct udp_slot *s, const struct flow_key *k, const char comm[16])
{
	__sync_fetch_and_add(&s->seq, 1);
	__builtin_memcpy(&s->key, k, sizeof(*k));
	__builtin_memcpy(s->comm, comm, sizeof(s->comm));
	__sync_fetch_and_add(&s->seq, 1);
}

/* udp_flush moves the slot's pending datagrams to the flow table. Busy
 * (the key being rewritten), it leaves them for the next flush, unless
 * the socket is closing (last). */
static __always_inline void udp_flush(struct udp_slot *s, bool last)
{
	struct flow_key k;
	__u64 seq, n;

	if (!s->pending)
		return;
	seq = slot_seq(s);
	__builtin_memcpy(&k, &s->key, sizeof(k));
	if ((seq & 1 || slot_seq(s) != seq) && !last)
		return;
	n = __sync_lock_test_and_set(&s->pending, 0);
	if (n)
		udp_add(s, &k, n);
}

/* A UDP socket closes: its storage goes with it, its counts to the table. */
SEC("cgroup/sock_release")
int udp_release(struct bpf_sock *sk)
{
	struct udp_cache *c;

	if (!udp_cache_on || sk->protocol != IPPROTO_UDP)
		return 1;
	c = bpf_sk_storage_get(&udp_cache, sk, 0, 0);
	if (c) {
		udp_flush(&c->slot[DIR_EGRESS], true);
		udp_flush(&c->slot[DIR_INGRESS], true);
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
	udp_flush(&c->slot[DIR_EGRESS], false);
	udp_flush(&c->slot[DIR_INGRESS], false);
	return 0;
}
