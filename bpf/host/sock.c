// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sock.c: the socket pool, the addresses as the kernel shows them, the
 * sockops context (net/core/filter.c) and tcp_set_state() (net/ipv4/tcp.c).
 * What maps hold for a socket they drop themselves (the sock_* map ops).
 */
#include <stdlib.h>
#include "journal.h"
#include "map.h"
#include "lib/words.h"
#include "net/loopback.h"
#include "sock.h"

static struct host_sock *pool;
static __u32 pool_bump; /* sockets ever handed out since the reset */
static __u32 pool_free; /* free list through sockhash_head: id + 1 */
static __u64 next_cookie;
static __be32 mapped_prefix[3]; /* lo_v4mapped_prefix as words, for v4mapped() */

int host_socks__init(void)
{
	memcpy(mapped_prefix, lo_v4mapped_prefix, sizeof(mapped_prefix));
	pool = calloc(HOST_MAX_SOCKS, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	host_socks__reset();
	return 0;
}

void host_socks__fini(void)
{
	free(pool);
	pool = NULL;
}

void host_socks__reset(void)
{
	memset(pool, 0, (size_t)pool_bump * sizeof(*pool));
	pool_bump = 0;
	pool_free = 0;
	next_cookie = 1;
}

struct host_sock *host_sock_of(const void *sk)
{
	uintptr_t p = (uintptr_t)sk, base = (uintptr_t)pool;
	struct host_sock *s;

	if (!pool || p < base || p >= base + (uintptr_t)HOST_MAX_SOCKS * sizeof(*pool) ||
	    (p - base) % sizeof(*pool))
		return NULL;
	s = (struct host_sock *)sk;
	return s->live ? s : NULL;
}

__u32 host_socks__span(void)
{
	return pool_bump;
}

struct host_sock *host_sock__by_id(__u32 id)
{
	if (id >= pool_bump || !pool[id].live)
		return NULL;
	return &pool[id];
}

struct host_sock *host_sock__new(void)
{
	struct host_sock *s;
	__u32 id;

	if (pool_free) {
		id = pool_free - 1;
		pool_free = pool[id].sockhash_head;
	} else if (pool_bump < HOST_MAX_SOCKS) {
		id = pool_bump++;
	} else {
		errno = ENOSPC;
		return NULL;
	}
	s = &pool[id];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->live = true;
	s->fullsock = true;
	s->is_tcp = true;
	s->cookie = next_cookie++;
	return s;
}

/* lo's IPv4-mapped form (net/loopback.h), open-coded on its prefix: every
 * socket the world makes comes through here, and a call into net/ for 12
 * bytes costs more than the compare. */
static void v4mapped(__be32 out[4], __be32 a)
{
	for (int i = 0; i < 3; i++)
		out[i] = mapped_prefix[i];
	out[3] = a;
}

static bool is_v4mapped(const __be32 a[4])
{
	return a[0] == mapped_prefix[0] && a[1] == mapped_prefix[1] && a[2] == mapped_prefix[2];
}

void host_sock__set_addrs(struct host_sock *s, __u32 family, const void *local, __u16 lport,
			  const void *remote, __u16 rport)
{
	s->family = family;
	s->local_port = lport;
	s->remote_port = rport;
	if (family != 10) {
		/* kernel 6.18: an AF_INET socket shows its addresses IPv4-mapped in
		 * local_ip6/remote_ip6 too (sk_v6_rcv_saddr, sk_v6_daddr). */
		memcpy(&s->local_ip4, local, 4);
		memcpy(&s->remote_ip4, remote, 4);
		v4mapped(s->local_ip6, s->local_ip4);
		v4mapped(s->remote_ip6, s->remote_ip4);
		return;
	}
	memcpy(s->local_ip6, local, 16);
	memcpy(s->remote_ip6, remote, 16);
	/* The IPv4 view of an AF_INET6 socket: the IPv4 address when mapped; for
	 * native IPv6 the kernel shows LOOPBACK4_IPV6 (127.0.0.6) as local_ip4 and
	 * 0.0.0.0 as remote_ip4 (an accepted socket shows 127.0.0.6 there too). */
	s->local_ip4 = is_v4mapped(s->local_ip6) ? s->local_ip6[3] : HOST_LOOPBACK4_IPV6;
	s->remote_ip4 = is_v4mapped(s->remote_ip6) ? s->remote_ip6[3] : 0;
}

void host_sock__free(struct host_sock *s)
{
	if (!s || !s->live)
		return;
	host_maps__sock_free(s);
	s->live = false;
	s->sockhash_head = pool_free;
	pool_free = s->id + 1;
}

/* The context is a snapshot of the socket taken at the callback, as the kernel
 * reads it from struct sock. Fields of a request socket read as zero. */
static void build_ctx(struct host_ctx *c, struct host_sock *s, __u32 op, const __u32 args[4])
{
	struct bpf_sock_ops *o = &c->ops;

	memset(c, 0, sizeof(*c));
	c->sock = s;
	o->op = op;
	if (args)
		sf_copy4(o->args, args);
	o->family = s->family;
	o->local_ip4 = s->local_ip4;
	o->remote_ip4 = s->remote_ip4;
	sf_copy4(o->local_ip6, s->local_ip6);
	sf_copy4(o->remote_ip6, s->remote_ip6);
	o->local_port = s->local_port;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	o->remote_port = (__u32)__builtin_bswap16(s->remote_port) << 16; /* kernel: dport << 16 */
#else
	o->remote_port = s->remote_port;
#endif
	o->is_fullsock = s->fullsock;
	o->state = s->state;
	if (!s->fullsock)
		return;
	o->bpf_sock_ops_cb_flags = s->cb_flags;
	o->snd_cwnd = s->tp.snd_cwnd;
	o->srtt_us = s->tp.srtt_us;
	o->rtt_min = s->tp.rtt_min;
	o->total_retrans = s->tp.total_retrans;
	o->lost_out = s->tp.lost_out;
	o->bytes_received = s->tp.bytes_received;
	o->bytes_acked = s->tp.bytes_acked;
	o->sk = &s->sk;

	/* struct bpf_sock as the kernel's bpf_sock_convert_ctx_access shows it. */
	s->sk.family = s->family;
	s->sk.type = 1; /* SOCK_STREAM */
	s->sk.protocol = s->is_tcp ? 6 : 17;
	s->sk.src_ip4 = s->local_ip4;
	s->sk.dst_ip4 = s->remote_ip4;
	sf_copy4(s->sk.src_ip6, s->local_ip6);
	sf_copy4(s->sk.dst_ip6, s->remote_ip6);
	s->sk.src_port = s->local_port;
	s->sk.dst_port = __builtin_bswap16(s->remote_port);
	s->sk.state = s->state;
}

int host_sock__fire(struct host_sock *s, __u32 op, const __u32 args[4])
{
	struct host_ctx ctx;

	host_journal__clear();
	build_ctx(&ctx, s, op, args);
	return host_prog.entry(&ctx.ops);
}

void host_sock__release(struct host_sock *s)
{
	host_maps__sock_release(s);
}

int host_sock__set_state(struct host_sock *s, __u32 state)
{
	int rc = 0;

	/* kernel tcp_set_state(): the callback sees the old state in the context
	 * and the new one in args[1]; the state is stored after it. */
	if (s->fullsock && (s->cb_flags & BPF_SOCK_OPS_STATE_CB_FLAG))
		rc = host_sock__fire(s, BPF_SOCK_OPS_STATE_CB, (const __u32[4]){s->state, state});
	s->state = state;
	return rc;
}
