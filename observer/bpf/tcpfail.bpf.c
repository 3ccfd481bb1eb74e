// SPDX-License-Identifier: GPL-2.0
/* Why a TCP connect failed, when the socket no longer says so at its close.
 *
 * A connect ends SYN_SENT -> CLOSE with an error the kernel set: an RST
 * (tcp_reset: ECONNREFUSED), the SYN retries running out (tcp_write_err:
 * ETIMEDOUT) or an ICMP error (tcp_v4_err/tcp_v6_err: EHOSTUNREACH, EACCES,
 * ENETUNREACH, and ECONNREFUSED for port unreachable). Two things hide it:
 *   - an RST and an ICMP port unreachable leave the same ECONNREFUSED;
 *   - an ICMP error that arrives while the connecting task holds the socket
 *     (on a veth the REJECT's answer comes back inside connect() itself) is
 *     kept in sk_err_soft and reported; the program reads it with SO_ERROR,
 *     which clears sk_err and sk_err_soft, then closes: no error is left.
 * https://elixir.bootlin.com/linux/v6.12/source/net/ipv4/tcp_ipv4.c (tcp_v4_err)
 * https://elixir.bootlin.com/linux/v6.12/source/net/core/sock.c (SO_ERROR)
 * So the failure is noted when it happens: tcp:tcp_receive_reset (4.15+)
 * marks an RST, inet_sk_error_report (5.14+, skerr.bpf.c) an ICMP error of
 * a connecting socket. Failed connects are rare: the marks cost nothing on
 * the path of connects that succeed. */

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_CLOSE 7

/* errno values of sk_err (include/uapi/asm-generic/errno.h). */
#define ETIMEDOUT 110
#define ECONNREFUSED 111

/* A failure noted on a connecting socket. isn (snd_una while in SYN_SENT:
 * the initial sequence number) tells the socket from a later one that
 * reuses its memory. */
struct connect_mark {
	__u32 isn;
	__u8 fail; /* enum failure */
	__u8 pad[3];
};

/* Keyed by the socket's address. A mark lives from the RST or ICMP error to
 * the close, which is at once or within a connect timeout; the LRU drops
 * the few left by connects that succeeded after a soft ICMP error. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct connect_mark);
} connect_marks SEC(".maps");

static __always_inline __u32 connect_isn(const struct sock *sk)
{
	return BPF_CORE_READ((const struct tcp_sock *)sk, snd_una);
}

/* mark_connect notes why the connecting socket sk failed. An RST is
 * final and replaces a mark (a soft ICMP error, then a retried SYN that
 * reached a closed port); an error report keeps an RST's (flags). */
static __always_inline void mark_connect(const struct sock *sk, __u8 fail, __u64 flags)
{
	__u64 key = (__u64)sk;
	struct connect_mark m = {.isn = connect_isn(sk), .fail = fail};

	bpf_map_update_elem(&connect_marks, &key, &m, flags);
}

/* take_mark returns and forgets the failure noted on sk, FAIL_NONE when
 * none was (or it was another socket's). */
static __always_inline __u8 take_mark(const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct connect_mark *m = bpf_map_lookup_elem(&connect_marks, &key);
	__u8 fail;

	if (!m)
		return FAIL_NONE;
	fail = m->isn == connect_isn(sk) ? m->fail : FAIL_NONE;
	bpf_map_delete_elem(&connect_marks, &key);
	return fail;
}

/* connect_failure tells why a connect that ended in CLOSE failed: the mark,
 * else the error left on the socket. Without an RST mark any error is an
 * ICMP one (ECONNREFUSED included: port unreachable), which is unreachable;
 * no error at all, or ETIMEDOUT, is a timeout: the kernel or the program
 * (a connect timeout closes the socket with no error) gave up. */
static __always_inline __u8 connect_failure(struct sock *sk)
{
	__u8 fail = take_mark(sk);
	int err;

	if (fail != FAIL_NONE)
		return fail;
	/* An ICMP error the program gave up on (soft: the kernel retries). */
	err = sk->sk_err ?: sk->sk_err_soft;
	if (err == 0 || err == ETIMEDOUT)
		return FAIL_TIMEOUT;
	return FAIL_UNREACHABLE;
}

/* tcp_connect_error notes an error reported on a connecting socket. An RST
 * was marked before its report; what else reports while SYN_SENT is an ICMP
 * error, whose errno may not be on the socket yet: while the task holds the
 * socket it goes to sk_err_soft after the report. (A SYN's transmit timestamp, SO_TIMESTAMPING, would be
 * taken for one; it matters only if the connect then fails.) */
static __always_inline void tcp_connect_error(const struct sock *sk)
{
	if (sk->__sk_common.skc_state == TCP_SYN_SENT)
		mark_connect(sk, FAIL_UNREACHABLE, BPF_NOEXIST);
}

/* An RST in SYN_SENT: the connect is refused (tcp_reset fires this before
 * it sets the error and closes the socket). */
SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(tcp_reset, struct sock *sk)
{
	if (sk->__sk_common.skc_state != TCP_SYN_SENT || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	mark_connect(sk, FAIL_REFUSED, BPF_ANY);
	return 0;
}
