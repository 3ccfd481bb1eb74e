// SPDX-License-Identifier: GPL-2.0
/* The observer's BPF programs: one translation unit so that the TCP and UDP
 * programs share the flows map and the counters.
 *
 * Kernel features needed (all in 5.10): BTF (CO-RE relocations and tp_btf),
 * BPF_MAP_TYPE_LRU_HASH with batch lookup-and-delete (5.6),
 * BPF_MAP_TYPE_SK_STORAGE in cgroup_skb programs (5.2), bpf_link for cgroups
 * (5.7). */
#include "kernel.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "observer.h"

char LICENSE[] SEC("license") = "GPL";

/* Keeps enum counter and enum direction in BTF for bpf2go -type. */
const enum counter *unused_counter __attribute__((unused));
const enum direction *unused_direction __attribute__((unused));
const struct new_flow *unused_new_flow __attribute__((unused));

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

/* Set by the loader before the programs are verified. When false the
 * verifier prunes the bpf_get_current_comm call in cgroup_skb programs,
 * which older kernels reject there. */
const volatile bool comm_in_cgroup_skb = false;

/* Set by the loader when userspace reads new-flow notifications. */
const volatile bool notify_new_flows = false;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536); /* the loader sets Config.MaxFlows */
	__type(key, struct flow_key);
	__type(value, struct flow_value);
} flows SEC(".maps");

/* New-flow notifications (BPF_MAP_TYPE_RINGBUF: 5.8+). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} new_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(enum counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);
	if (v)
		*v += 1; /* per-CPU: no atomics needed */
}

static __always_inline void bump(struct flow_value *v, bool failed, __u64 now)
{
	if (failed)
		__sync_fetch_and_add(&v->failed, 1);
	else
		__sync_fetch_and_add(&v->count, 1);
	v->last_ns = now;
}

static __always_inline void notify(struct flow_key *k, struct flow_value *v, bool failed)
{
	struct new_flow *n = bpf_ringbuf_reserve(&new_flows, sizeof(*n), 0);

	if (!n) {
		count(CNT_DROP_NOTIFY);
		return;
	}
	__builtin_memcpy(&n->key, k, sizeof(n->key));
	__builtin_memcpy(n->comm, v->comm, sizeof(n->comm));
	n->seen_ns = v->first_ns;
	n->failed = failed;
	__builtin_memset(n->pad, 0, sizeof(n->pad));
	bpf_ringbuf_submit(n, 0);
}

/* record adds one connection (or failed attempt, or UDP peer) to the flow of
 * k. comm is copied only when the flow is new; it may be NULL. */
static __always_inline void record(struct flow_key *k, bool failed, const char *comm)
{
	__u64 now = bpf_ktime_get_ns();
	struct flow_value *v = bpf_map_lookup_elem(&flows, k);

	count(CNT_EVENTS);
	if (v) {
		bump(v, failed, now);
		return;
	}
	struct flow_value nv = {
		.count = failed ? 0 : 1,
		.failed = failed ? 1 : 0,
		.first_ns = now,
		.last_ns = now,
	};
	if (comm)
		__builtin_memcpy(nv.comm, comm, sizeof(nv.comm));
	if (bpf_map_update_elem(&flows, k, &nv, BPF_NOEXIST) == 0) {
		count(CNT_FLOWS_CREATED);
		if (notify_new_flows)
			notify(k, &nv, failed);
		return;
	}
	/* Another CPU inserted it meanwhile, or the map could not take it. */
	v = bpf_map_lookup_elem(&flows, k);
	if (v)
		bump(v, failed, now);
	else
		count(CNT_DROP_FLOW_UPDATE);
}

/* set_v4 writes an IPv4 address as IPv4-mapped IPv6. */
static __always_inline void set_v4(__u8 dst[16], __be32 addr)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &addr, 4);
}

#include "tcp.bpf.c"
#include "udp.bpf.c"
