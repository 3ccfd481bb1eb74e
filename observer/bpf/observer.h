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
 * (::ffff:a.b.c.d). The client's ephemeral port is never part of it. */
struct flow_key {
	__u64 cgroup_id; /* cgroup v2 ID of the local socket */
	__u8 local[16];
	__u8 client[16];
	__u8 server[16];
	__u16 server_port; /* host byte order */
	__u8 protocol;     /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 direction;    /* enum direction */
	__u8 pad[4];
};

struct flow_value {
	__u64 count;    /* connections, or UDP socket/peer pairs */
	__u64 failed;   /* TCP SYN_SENT -> CLOSE */
	__u64 first_ns; /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 last_ns;
	char comm[16]; /* the connecting or first-sending task, if known */
};

/* A notification that a flow was inserted in the table (the ring buffer
 * carries only these, when enabled; counts travel through the table). */
struct new_flow {
	struct flow_key key;
	__u64 seen_ns;
	char comm[16];
	__u8 failed; /* the first event was a failed connect */
	__u8 pad[7];
};

/* Per-CPU counters, read by the Go collector at scrape time. */
enum counter {
	CNT_EVENTS = 0,       /* connections, failures and UDP peers recorded */
	CNT_FLOWS_CREATED,    /* new entries inserted in the flows map */
	CNT_DROP_FLOW_UPDATE, /* a flow could not be inserted */
	CNT_DROP_SK_STORAGE,  /* no UDP socket state could be allocated */
	CNT_DROP_PARSE,       /* a UDP packet whose headers could not be read */
	CNT_NO_CONNECT_COMM,  /* a connect finished without its SYN_SENT record */
	CNT_DROP_NOTIFY,      /* the new-flow ring buffer was full */
	CNT_MAX,
};

#endif
