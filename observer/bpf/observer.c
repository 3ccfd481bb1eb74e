// SPDX-License-Identifier: GPL-2.0
/* The observer's BPF programs: one translation unit so that the TCP and UDP
 * programs share the flows map and the counters.
 *
 * Kernel features needed (all in 5.10): BTF (CO-RE relocations and tp_btf),
 * bpf_jiffies64 (5.5), BPF_MAP_TYPE_LRU_HASH with batch lookup-and-delete (5.6),
 * BPF_MAP_TYPE_SK_STORAGE in cgroup_skb programs (5.2), bpf_link for cgroups
 * (5.7). The per-socket UDP cache needs 5.12 (udpcache.bpf.c); the object is
 * built for BPF ISA v3 (-mcpu=v3: 32-bit jumps and ALU, 5.1+) for the cache's
 * atomic exchange, which the verifier prunes where the cache is off. */
#include "kernel.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "observer.h"

#ifndef bpf_ksym_exists
/* libbpf 1.2's macro; older headers lack it. */
#define bpf_ksym_exists(sym) (!!(sym))
#endif

char LICENSE[] SEC("license") = "GPL";

/* Keeps enum counter and enum direction in BTF for bpf2go -type. */
const enum counter *unused_counter __attribute__((unused));
const enum direction *unused_direction __attribute__((unused));
const enum failure *unused_failure __attribute__((unused));
const struct new_flow *unused_new_flow __attribute__((unused));

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

/* Set by the loader before the programs are verified. When false the
 * verifier prunes the calls they guard, which older kernels reject in
 * cgroup_skb programs: bpf_get_current_task and bpf_probe_read_kernel
 * (task_in_cgroup_skb: the process's name) or bpf_get_current_comm
 * (comm_in_cgroup_skb: the thread's name, the fallback). */
const volatile bool task_in_cgroup_skb = false;
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

/* process_comm writes the name of the current process: its thread-group
 * leader's comm, not the thread's (a resolver's worker thread would show as
 * "isc-net-0000" instead of "dig"). Tracing programs only, or cgroup_skb
 * ones when task_in_cgroup_skb. */
static __always_inline void process_comm(char comm[16])
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);

	if (!leader || bpf_core_read(comm, 16, &leader->comm))
		__builtin_memset(comm, 0, 16);
}

/* The length of a tick in ns (the kernel's TICK_NSEC: 4 ms at HZ=250),
 * set by the loader from the coarse clock's resolution. */
const volatile __u64 tick_ns = 4000000;

/* CLOCK_MONOTONIC ns at jiffy 0: worked out at the first event (flow_clock),
 * to within the tick it fell in. */
__u64 jiffies_base_ns = 0;

/* jiffies_ns turns jiffies into CLOCK_MONOTONIC ns. The kernel advances
 * jiffies by whole ticks of CLOCK_MONOTONIC (tick_do_update_jiffies64), so
 * the two stay in step for good. */
static __always_inline __u64 jiffies_ns(__u64 j)
{
	return jiffies_base_ns + j * tick_ns;
}

/* flow_clock is the time of an event, to the tick (4 ms at HZ=250, which
 * first and last seen can spare): bpf_jiffies64 is a load, where
 * bpf_ktime_get_ns reads the clock source, ~40 ns a call in this VM (an
 * uncached UDP datagram's call ~210 -> ~165 ns, builds with either
 * alternating; TCP within the noise), and the coarse clock a seqlock,
 * ~25 ns. */
static __always_inline __u64 flow_clock(void)
{
	__u64 j = bpf_jiffies64();

	if (!jiffies_base_ns)
		jiffies_base_ns = bpf_ktime_get_ns() - j * tick_ns;
	return jiffies_ns(j);
}

static __always_inline void bump(struct flow_value *v, __u8 fail, __u64 now)
{
	switch (fail) {
	case FAIL_NONE:
		__sync_fetch_and_add(&v->count, 1);
		break;
	case FAIL_REFUSED:
		__sync_fetch_and_add(&v->refused, 1);
		break;
	case FAIL_TIMEOUT:
		__sync_fetch_and_add(&v->timed_out, 1);
		break;
	default:
		__sync_fetch_and_add(&v->unreachable, 1);
	}
	if (fail != FAIL_NONE)
		__sync_fetch_and_add(&v->failed, 1);
	if (!v->first_ns) /* an empty entry Drain put back */
		v->first_ns = now;
	v->last_ns = now;
}

static __always_inline void notify(struct flow_key *k, struct flow_value *v, __u8 fail)
{
	struct new_flow *n = bpf_ringbuf_reserve(&new_flows, sizeof(*n), 0);

	if (!n) {
		count(CNT_DROP_NOTIFY);
		return;
	}
	__builtin_memcpy(&n->key, k, sizeof(n->key));
	__builtin_memcpy(n->comm, v->comm, sizeof(n->comm));
	n->seen_ns = v->first_ns;
	n->failed = fail;
	__builtin_memset(n->pad, 0, sizeof(n->pad));
	bpf_ringbuf_submit(n, 0);
}

/* Where record finds the process name of a new flow. */
enum comm_source {
	COMM_NONE = 0,    /* unknown */
	COMM_GIVEN = 1,   /* the comm argument (kept since SYN_SENT) */
	COMM_CURRENT = 2, /* the current process (a datagram being sent) */
	COMM_SOCKET = 3,  /* the socket's storage (accepted connections, received
			   * datagrams: sockcomm.bpf.c) */
};

/* add_to adds one connection, failed attempt or datagram to the flow
 * entry v of k. */
static __always_inline void add_to(struct flow_key *k, struct flow_value *v, __u8 fail)
{
	count(CNT_EVENTS);
	/* A pending connect's entry gets its first count: announce it now. */
	if (notify_new_flows && v->count == 0 && v->failed == 0)
		notify(k, v, fail);
	bump(v, fail, flow_clock());
}

#include "sockcomm.bpf.c"

/* record adds one connection, failed attempt (fail: enum failure) or UDP
 * datagram to the flow of k. The process name is looked up only when the
 * flow is new: from comm, the current task or the storage of socket sk, as
 * src says. It returns the entry it counted on, NULL for one it made (or
 * none: counted as dropped). */
static __always_inline struct flow_value *record(struct flow_key *k, __u8 fail, const char *comm,
						 __u8 src, void *sk)
{
	struct flow_value *v = bpf_map_lookup_elem(&flows, k);

	if (v) {
		add_to(k, v, fail);
		return v;
	}
	__u64 now = flow_clock();
	struct flow_value nv = {
		.count = fail == FAIL_NONE,
		.failed = fail != FAIL_NONE,
		.refused = fail == FAIL_REFUSED,
		.timed_out = fail == FAIL_TIMEOUT,
		.unreachable = fail == FAIL_UNREACHABLE,
		.first_ns = now,
		.last_ns = now,
	};
	if (src == COMM_GIVEN && comm)
		__builtin_memcpy(nv.comm, comm, sizeof(nv.comm));
	else if (src == COMM_CURRENT && task_in_cgroup_skb)
		process_comm(nv.comm);
	else if (src == COMM_CURRENT && comm_in_cgroup_skb)
		bpf_get_current_comm(nv.comm, sizeof(nv.comm));
	else if (src == COMM_SOCKET && sock_comm_on)
		socket_comm(sk, nv.comm);
	if (bpf_map_update_elem(&flows, k, &nv, BPF_NOEXIST) == 0) {
		count(CNT_EVENTS);
		count(CNT_FLOWS_CREATED);
		if (notify_new_flows)
			notify(k, &nv, fail);
		return NULL;
	}
	/* Another CPU inserted it meanwhile, or the map could not take it. */
	v = bpf_map_lookup_elem(&flows, k);
	if (v)
		add_to(k, v, fail);
	else
		count(CNT_DROP_FLOW_UPDATE);
	return v;
}

/* set_v4 writes an IPv4 address as IPv4-mapped IPv6. */
static __always_inline void set_v4(__u8 dst[16], __be32 addr)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &addr, 4);
}

#include "tcpfail.bpf.c"
#include "tcp.bpf.c"
#include "udp.bpf.c"
#include "skerr.bpf.c"
