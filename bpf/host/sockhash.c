// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sockhash.c: BPF_MAP_TYPE_SOCKHASH and its bond to the sockets
 * (net/core/sock_map.c): an entry names a socket and leaves the map when
 * user space closes that socket (sock_map_close()) or it is destroyed.
 *
 * The entries of one socket, in every sockhash, are chained from
 * host_sock.sockhash_head through their values as (rank << 16 | slot) + 1,
 * rank being the map's number among the program's sockhashes.
 */
#include <stdlib.h>
#include "hashtab.h"
#include "sockhash.h"

#define HOST_MAX_SOCKHASH 16 /* sockhash maps one program may define */

struct sockhash_val {
	__u32 sock_id;	 /* the value user space reads: the socket's pool id */
	__u32 sock_next; /* the next entry of the same socket, as sockhash_head */
};

struct sockhash_map {
	struct host_map map;
	struct host_htab tab;
	__u32 rank;
};

static struct sockhash_map *sockhashes[HOST_MAX_SOCKHASH]; /* by rank */

static struct sockhash_map *sockhash_of(const struct host_map *m)
{
	return (struct sockhash_map *)host_map__if(m, &host_sockhash_ops);
}

static int sockhash_alloc(const struct host_map_def *d, struct host_map **out)
{
	__u32 rank = host_maps__rank(d);
	struct sockhash_map *sh;

	/* a chain link keeps the slot in 16 bits */
	if (rank >= HOST_MAX_SOCKHASH || d->max_entries > 0x10000)
		return -EOPNOTSUPP;
	sh = calloc(1, sizeof(*sh));
	if (!sh ||
	    host_htab__init(&sh->tab, d->key_size, sizeof(struct sockhash_val), d->max_entries)) {
		free(sh);
		return -ENOMEM;
	}
	sh->rank = rank;
	sockhashes[rank] = sh;
	*out = &sh->map;
	return 0;
}

static void sockhash_free(struct host_map *m)
{
	struct sockhash_map *sh = sockhash_of(m);

	sockhashes[sh->rank] = NULL;
	host_htab__fini(&sh->tab);
	free(sh);
}

static void sockhash_reset(struct host_map *m)
{
	host_htab__reset(&sockhash_of(m)->tab); /* the chains go with the sockets */
}

static __u32 sockhash_count(const struct host_map *m)
{
	return sockhash_of(m)->tab.count;
}

static struct sockhash_val *val_at(const struct sockhash_map *sh, __u32 slot)
{
	return host_htab__value(&sh->tab, slot);
}

/* The value behind chain link REF (a sockhash_head or sock_next). */
static struct sockhash_val *link_val(__u32 ref)
{
	return val_at(sockhashes[(ref - 1) >> 16], (ref - 1) & 0xffff);
}

static __u32 link_of(const struct sockhash_map *sh, __u32 slot)
{
	return ((sh->rank << 16) | slot) + 1;
}

/* Take the entry at SLOT off its socket's chain. */
static void unlink_from_sock(struct sockhash_map *sh, __u32 slot)
{
	struct host_sock *s = host_sock__by_id(val_at(sh, slot)->sock_id);
	__u32 ref = link_of(sh, slot);

	for (__u32 *link = s ? &s->sockhash_head : NULL; link && *link;
	     link = &link_val(*link)->sock_next) {
		if (*link == ref) {
			*link = link_val(ref)->sock_next;
			return;
		}
	}
}

long host_sockhash__update(struct host_map *m, const void *key, struct host_sock *s, __u64 flags)
{
	struct sockhash_map *sh = sockhash_of(m);
	struct sockhash_val *v;
	bool fresh;
	long slot = host_htab__upsert(&sh->tab, key, flags, &fresh);

	if (slot < 0)
		return slot;
	if (!fresh)
		unlink_from_sock(sh, slot); /* the old socket loses this entry */
	v = val_at(sh, slot);
	v->sock_id = s->id;
	v->sock_next = s->sockhash_head;
	s->sockhash_head = link_of(sh, slot);
	return 0;
}

/* S leaves this map: every entry of its chain that is in it. */
static void sockhash_drop_sock(struct host_map *m, struct host_sock *s)
{
	struct sockhash_map *sh = sockhash_of(m);
	__u32 *link = &s->sockhash_head;

	while (*link) { /* most sockets have no entry: nothing to walk */
		__u32 ref = *link;

		if ((ref - 1) >> 16 != sh->rank) {
			link = &link_val(ref)->sock_next;
			continue;
		}
		*link = link_val(ref)->sock_next;
		host_htab__remove(&sh->tab, (ref - 1) & 0xffff);
	}
}

static void *sockhash_lookup(const struct host_map *m, const void *key)
{
	long slot = host_htab__find(&sockhash_of(m)->tab, key);

	return slot < 0 ? NULL : val_at(sockhash_of(m), slot);
}

struct host_sock *host_sockhash__lookup(const struct host_map *m, const void *key)
{
	struct sockhash_val *v = sockhash_of(m) ? sockhash_lookup(m, key) : NULL;

	return v ? host_sock__by_id(v->sock_id) : NULL;
}

static bool sockhash_next(const struct host_map *m, __u32 *cursor, const void **key, void **value)
{
	return host_htab__next(&sockhash_of(m)->tab, cursor, key, value);
}

static __u64 sockhash_digest(const struct host_map *m, __u64 h)
{
	return host_htab__digest(&sockhash_of(m)->tab, h, sizeof(__u32));
}

const struct host_map_ops host_sockhash_ops = {
	.alloc = sockhash_alloc,
	.free = sockhash_free,
	.reset = sockhash_reset,
	.count = sockhash_count,
	.lookup = sockhash_lookup,
	.next = sockhash_next,
	.digest = sockhash_digest,
	.sock_release = sockhash_drop_sock,
	.sock_free = sockhash_drop_sock,
};
