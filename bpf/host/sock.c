// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sock.c: the socket pool, the sockops context, socket storage and the
 * sockhash's bond to its sockets (net/core/filter.c, bpf_sk_storage.c,
 * sock_map.c, and tcp_set_state() in net/ipv4/tcp.c).
 */
#include <stdlib.h>
#include "host_internal.h"

static struct host_sock *pool;
static __u32 pool_bump; /* sockets ever handed out since the reset */
static __u32 pool_free; /* free list through sockhash_head: id + 1 */
static __u32 nr_live;
static __u64 next_cookie;

int host_socks__init(void)
{
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
	nr_live = 0;
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
	nr_live++;
	return s;
}

static bool ip6_is_v4mapped(const __be32 a[4])
{
	static const __u8 prefix[12] = {[10] = 0xff, [11] = 0xff};

	return !memcmp(a, prefix, sizeof(prefix));
}

/* IPv4 address A (network order) as ::ffff:a.b.c.d. */
static void v4mapped(__be32 out[4], __be32 a)
{
	static const __u8 prefix[12] = {[10] = 0xff, [11] = 0xff};

	memcpy(out, prefix, sizeof(prefix));
	out[3] = a;
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
	s->local_ip4 = ip6_is_v4mapped(s->local_ip6) ? s->local_ip6[3] : HOST_LOOPBACK4_IPV6;
	s->remote_ip4 = ip6_is_v4mapped(s->remote_ip6) ? s->remote_ip6[3] : 0;
}

static void drop_storage(struct host_sock *s)
{
	for (__u32 bit = 0; s->storage_mask; bit++) {
		if (!(s->storage_mask & (1u << bit)))
			continue;
		s->storage_mask &= ~(1u << bit);
		for (__u32 i = 0; i < host_prog.nr_maps; i++) {
			struct host_map *m = host_map_at(i);

			if (m->def->type == BPF_MAP_TYPE_SK_STORAGE && m->skstor.bit == bit)
				m->skstor.count--;
		}
	}
}

void host_sock__free(struct host_sock *s)
{
	if (!s || !s->live)
		return;
	host_sockhash__drop_sock(s);
	drop_storage(s);
	s->live = false;
	s->sockhash_head = pool_free;
	pool_free = s->id + 1;
	nr_live--;
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
		memcpy(o->args, args, sizeof(o->args));
	o->family = s->family;
	o->local_ip4 = s->local_ip4;
	o->remote_ip4 = s->remote_ip4;
	memcpy(o->local_ip6, s->local_ip6, sizeof(o->local_ip6));
	memcpy(o->remote_ip6, s->remote_ip6, sizeof(o->remote_ip6));
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
	memcpy(s->sk.src_ip6, s->local_ip6, sizeof(s->sk.src_ip6));
	memcpy(s->sk.dst_ip6, s->remote_ip6, sizeof(s->sk.dst_ip6));
	s->sk.src_port = s->local_port;
	s->sk.dst_port = __builtin_bswap16(s->remote_port);
	s->sk.state = s->state;
}

struct host_ctx *host_ctx_of(const struct bpf_sock_ops *ops)
{
	return (struct host_ctx *)ops; /* ops is the first member */
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
	host_sockhash__drop_sock(s);
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

/* ---- socket storage ---- */

void *host_skstor__get(struct host_map *m, struct host_sock *s, bool create)
{
	struct host_skstor *st = &m->skstor;
	__u8 *val = st->vals + (size_t)s->id * st->stride;

	if (s->storage_mask & (1u << st->bit))
		return val;
	if (!create)
		return NULL;
	memset(val, 0, st->stride);
	s->storage_mask |= 1u << st->bit;
	st->count++;
	host_journal__add(&(struct host_effect){
		.kind = HOST_FX_STORAGE_CREATE, .map = m, .data = val, .sock = s});
	return val;
}

void *host_sk_storage__get(struct host_map *m, struct host_sock *s, bool create)
{
	if (!m || m->def->type != BPF_MAP_TYPE_SK_STORAGE || !s || !s->live)
		return NULL;
	return host_skstor__get(m, s, create);
}

/* ---- sockhash membership ---- */

static void unlink_from_sock(struct host_map *m, __u32 slot)
{
	struct host_slot *e = host_hash__slot(&m->hash, slot);
	struct host_sock *s = &pool[e->sock_id];
	__u32 *link = &s->sockhash_head;

	while (*link) {
		struct host_slot *cur = host_hash__slot(&host_map_at((*link - 1) >> 16)->hash,
							(*link - 1) & 0xffff);

		if (*link - 1 == ((m->index << 16) | slot)) {
			*link = cur->sock_next;
			return;
		}
		link = &cur->sock_next;
	}
}

/* Entries of a socket are chained as (map index << 16 | slot) + 1. */
long host_sockhash__update(struct host_map *m, const void *key, struct host_sock *s, __u64 flags)
{
	const struct host_map_def *d = m->def;
	long slot;

	if (flags > BPF_EXIST)
		return -EINVAL;
	slot = host_hash__find(&m->hash, key, d->key_size);
	if (slot >= 0 && flags == BPF_NOEXIST)
		return -EEXIST;
	if (slot < 0 && flags == BPF_EXIST)
		return -ENOENT;
	if (slot >= 0) {
		unlink_from_sock(m, slot); /* the old socket loses this entry */
	} else {
		slot = host_hash__insert(&m->hash, key, d->key_size, d->max_entries);
		if (slot < 0)
			return slot;
	}
	host_hash__slot(&m->hash, slot)->sock_id = s->id;
	memcpy(host_hash__value(&m->hash, slot), &s->id, sizeof(s->id));
	host_hash__slot(&m->hash, slot)->sock_next = s->sockhash_head;
	s->sockhash_head = ((m->index << 16) | (__u32)slot) + 1;
	return 0;
}

void host_sockhash__drop_sock(struct host_sock *s)
{
	while (s->sockhash_head) {
		__u32 ref = s->sockhash_head - 1;
		struct host_map *m = host_map_at(ref >> 16);
		struct host_slot *e = host_hash__slot(&m->hash, ref & 0xffff);

		s->sockhash_head = e->sock_next;
		host_hash__remove(&m->hash, ref & 0xffff, m->def->key_size);
	}
}

struct host_sock *host_sockhash__lookup(const struct host_map *m, const void *key)
{
	long slot;

	if (!m || m->def->type != BPF_MAP_TYPE_SOCKHASH)
		return NULL;
	slot = host_hash__find(&m->hash, key, m->def->key_size);
	return slot < 0 ? NULL : &pool[host_hash__slot(&m->hash, slot)->sock_id];
}
