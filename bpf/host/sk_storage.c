// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sk_storage.c: BPF_MAP_TYPE_SK_STORAGE (net/core/bpf_sk_storage.c): storage
 * per socket, absent until created, gone with the socket. A map keeps one
 * value per pool socket and a bit in host_sock.storage_mask says whether the
 * socket has one, so a reset costs nothing here (the bits go with the
 * sockets).
 */
#include <stdlib.h>
#include "journal.h"
#include "sk_storage.h"

#define HOST_MAX_SK_STORAGE 8 /* sk_storage maps one program may define */

struct sk_storage_map {
	struct host_map map;
	__u8 *vals; /* HOST_MAX_SOCKS * stride, zeroed when created */
	__u32 stride;
	__u32 bit; /* this map's bit in host_sock.storage_mask */
	__u32 count;
};

static struct sk_storage_map *storage_of(const struct host_map *m)
{
	return (struct sk_storage_map *)host_map__if(m, &host_sk_storage_ops);
}

static int storage_alloc(const struct host_map_def *d, struct host_map **out)
{
	__u32 rank = host_maps__rank(d);
	struct sk_storage_map *st;

	if (rank >= HOST_MAX_SK_STORAGE)
		return -EOPNOTSUPP;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->bit = rank;
	st->stride = HOST_ROUND8(d->value_size);
	st->vals = calloc(HOST_MAX_SOCKS, st->stride);
	if (!st->vals) {
		free(st);
		return -ENOMEM;
	}
	*out = &st->map;
	return 0;
}

static void storage_free(struct host_map *m)
{
	free(storage_of(m)->vals);
	free(storage_of(m));
}

static void storage_reset(struct host_map *m)
{
	storage_of(m)->count = 0; /* the sockets' storage bits go with the sockets */
}

static __u32 storage_count(const struct host_map *m)
{
	return storage_of(m)->count;
}

static bool has_storage(const struct sk_storage_map *st, const struct host_sock *s)
{
	return s->storage_mask & (1u << st->bit);
}

static void *value_of(const struct sk_storage_map *st, const struct host_sock *s)
{
	return st->vals + (size_t)s->id * st->stride;
}

static void journal_create(struct host_map *m, struct host_sock *s, void *val)
{
	struct host_effect fx = {.kind = HOST_FX_STORAGE_CREATE, .map = m, .data = val, .sock = s};

	host_journal__add(&fx, 0);
}

void *host_sk_storage__lookup(struct host_map *m, struct host_sock *s, bool create)
{
	struct sk_storage_map *st = storage_of(m);
	__u8 *val = value_of(st, s);

	if (has_storage(st, s))
		return val;
	if (!create)
		return NULL;
	memset(val, 0, st->stride);
	s->storage_mask |= 1u << st->bit;
	st->count++;
	journal_create(m, s, val);
	return val;
}

void *host_sk_storage__get(struct host_map *m, struct host_sock *s, bool create)
{
	if (!storage_of(m) || !s || !s->live)
		return NULL;
	return host_sk_storage__lookup(m, s, create);
}

static void storage_sock_free(struct host_map *m, struct host_sock *s)
{
	struct sk_storage_map *st = storage_of(m);

	if (!has_storage(st, s))
		return;
	s->storage_mask &= ~(1u << st->bit);
	st->count--;
}

long host_sk_storage__delete(struct host_map *m, struct host_sock *s)
{
	if (!has_storage(storage_of(m), s))
		return -ENOENT;
	storage_sock_free(m, s);
	return 0;
}

static __u64 storage_digest_sock(const struct host_map *m, const struct host_sock *s, __u64 h)
{
	const struct sk_storage_map *st = storage_of(m);

	return has_storage(st, s) ? host_digest__bytes(h, value_of(st, s), m->def->value_size) : h;
}

const struct host_map_ops host_sk_storage_ops = {
	.alloc = storage_alloc,
	.free = storage_free,
	.reset = storage_reset,
	.count = storage_count,
	.digest_sock = storage_digest_sock,
	.sock_free = storage_sock_free,
};
