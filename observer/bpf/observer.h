/* Types shared by the observer's BPF programs and, through bpf2go -type,
 * its Go side. */
#ifndef NETPOL_OBSERVER_H
#define NETPOL_OBSERVER_H

#include <linux/types.h>

enum direction {
	DIR_EGRESS = 0,  /* the local socket is the client */
	DIR_INGRESS = 1, /* the local socket is the server */
};

/* One aggregated edge. Addresses are IPv6 or IPv4-mapped IPv6
 * (::ffff:a.b.c.d). The client's ephemeral port is never part of it. The
 * local socket's address is the client's (egress) or the server's
 * (ingress): not kept twice, so that the key the TCP programs hash three
 * times a connection is 48 bytes, not 64 (BenchmarkTCPCostModel). */
struct flow_key {
	__u64 cgroup_id; /* cgroup v2 ID of the local socket */
	__u8 client[16];
	__u8 server[16];
	__u16 server_port; /* host byte order */
	__u8 protocol;     /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 direction;    /* enum direction */
	__u8 pad[4];
};

/* Why a connect (or a UDP exchange) failed. */
enum failure {
	FAIL_NONE = 0,
	FAIL_REFUSED = 1,     /* TCP: an RST; UDP: ICMP port unreachable */
	FAIL_TIMEOUT = 2,     /* no answer: the kernel or the program gave up */
	FAIL_UNREACHABLE = 3, /* any other ICMP error (TCP: any ICMP error) */
};

struct flow_value {
	__u64 count;    /* connections, or UDP datagrams the client side sent */
	__u64 failed;   /* refused + timed_out + unreachable */
	__u64 first_ns; /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 last_ns;
	char comm[16]; /* the connecting or first-sending process, if known */
	__u64 refused;
	__u64 timed_out;
	__u64 unreachable;
	/* Datagrams an ICMP error failed while their count still waited in a
	 * socket's cache (udpcache.bpf.c): the cache's flush takes them off
	 * the count it adds. Userspace ignores it. */
	__u64 owed;
	/* The UDP cache's admission: the client port of the socket pair that
	 * counted on the entry last, and how many datagrams in a row it did. */
	__u64 last_sock;
	__u64 streak;
};

/* A notification that a flow was inserted in the table (the ring buffer
 * carries only these, when enabled; counts travel through the table). */
struct new_flow {
	struct flow_key key;
	__u64 seen_ns;
	char comm[16];
	__u8 failed; /* enum failure of the first event */
	__u8 pad[7];
};

/* Per-CPU counters, read by the Go collector at scrape time. */
enum counter {
	CNT_EVENTS = 0,       /* connections, failures and UDP datagrams recorded */
	CNT_FLOWS_CREATED,    /* new entries inserted in the flows map */
	CNT_DROP_FLOW_UPDATE, /* a flow could not be inserted */
	CNT_DROP_SK_STORAGE,  /* a UDP socket/peer decision, a socket's cache or a server's name could not be stored */
	CNT_DROP_PARSE,       /* a UDP packet whose headers could not be read */
	CNT_NO_CONNECT_COMM,  /* a connect finished without its SYN_SENT entry */
	CNT_DROP_NOTIFY,      /* the new-flow ring buffer was full */
	CNT_MAX,
};

#endif
