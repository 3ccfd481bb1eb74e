/* Minimal kernel type definitions for CO-RE.
 *
 * Only the fields the observer reads are declared; preserve_access_index
 * makes every access a BTF relocation that the loader resolves against the
 * running kernel's /sys/kernel/btf/vmlinux, so offsets and unions (e.g. the
 * address pairs in struct sock_common) need not match. This replaces a
 * multi-megabyte generated vmlinux.h.
 */
#ifndef NETPOL_KERNEL_H
#define NETPOL_KERNEL_H

#include <linux/types.h>
#include <linux/in6.h>
#include <stdbool.h>

struct kernfs_node {
	__u64 id; /* u64 since 5.5; it is the cgroup ID (the directory's inode) */
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));

/* Since 5.15 (commit 8520e224f547) the socket's cgroup v2 is a plain
 * pointer; before, it shared a u64 with the v1 net_cls/net_prio data. */
struct sock_cgroup_data {
	struct cgroup *cgroup;
} __attribute__((preserve_access_index));

struct sock_cgroup_data___old {
	__u64 val;
} __attribute__((preserve_access_index));

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	__u16 sk_protocol;
	/* A 4-bit bitfield in older kernels, a u8 in newer ones: read it
	 * with BPF_CORE_READ_BITFIELD, which relocates either layout. */
	__u8 sk_userlocks;
	int sk_err;
	int sk_err_soft;
	struct sock_cgroup_data sk_cgrp_data;
	void *sk_bpf_storage; /* the socket's local storage, NULL when none */
} __attribute__((preserve_access_index));

/* Only snd_una: while in SYN_SENT it is the initial sequence number. */
struct tcp_sock {
	__u32 snd_una;
} __attribute__((preserve_access_index));

/* SOCK_BINDPORT_LOCK in sk_userlocks: bind() was given a port, which the
 * socket did not get ephemerally (include/net/sock.h). */
#define SOCK_BINDPORT_LOCK 8

struct task_struct {
	struct task_struct *group_leader;
	char comm[16];
} __attribute__((preserve_access_index));

/* The context of an iterator over a socket storage map (5.9+,
 * net/core/bpf_sk_storage.c: DEFINE_BPF_ITER_FUNC(bpf_sk_storage_map)). */
struct bpf_iter_meta;
struct bpf_map;

struct bpf_iter__bpf_sk_storage_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	struct sock *sk;
	void *value;
} __attribute__((preserve_access_index));

#endif
