/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * map.h: a map as the runtime holds it, and the operations each map type
 * provides, the way the kernel's struct bpf_map_ops does. A map type lives
 * in a file of its own (array.c, hash.c, ringbuf.c, sockhash.c,
 * sk_storage.c) that embeds struct host_map in an object of its own and
 * exports one struct host_map_ops; map_types.h registers it with one row.
 * The registry (map.c) builds, resets, frees and dispatches on maps only
 * through the ops: a new type is its own file and one row in map_types.h.
 */
#pragma once

#include "host_internal.h"

struct host_map {
	const struct host_map_def *def; /* set by the registry after alloc */
	const struct host_map_ops *ops;
};

/*
 * The operations of one map type. Only alloc and free are required; a NULL
 * member means what its comment says. None allocates after alloc, and reset
 * costs what was touched since the last one.
 */
struct host_map_ops {
	/* Build the native object for DEF into *OUT. 0, -ENOMEM, or
	 * -EOPNOTSUPP for sizes the host does not emulate (the registry says so). */
	int (*alloc)(const struct host_map_def *def, struct host_map **out);
	void (*free)(struct host_map *m);
	/* Back to the state right after alloc. NULL: nothing to reset. */
	void (*reset)(struct host_map *m);
	/* host_map__count(). NULL: 0. */
	__u32 (*count)(const struct host_map *m);
	/* User space's lookup, update and delete (host_map__lookup(), ...).
	 * NULL: no value, -EINVAL, -EINVAL. */
	void *(*lookup)(const struct host_map *m, const void *key);
	int (*update)(struct host_map *m, const void *key, const void *value, __u64 flags);
	int (*remove)(struct host_map *m, const void *key);
	/* The program's bpf_map_lookup_elem(). NULL: it returns NULL. */
	void *(*prog_lookup)(const struct host_map *m, const void *key);
	/* host_map__next(). NULL: no entries to walk. */
	bool (*next)(const struct host_map *m, __u32 *cursor, const void **key, void **value);
	/* Fold the map's contents into H (host_state__digest()), the same for
	 * the same contents whatever order they were made in. NULL: nothing. */
	__u64 (*digest)(const struct host_map *m, __u64 h);
	/* Fold what the map holds for socket S into H. NULL: nothing. */
	__u64 (*digest_sock)(const struct host_map *m, const struct host_sock *s, __u64 h);
	/* S's owner closed it (close(2)): drop what must go now. NULL: nothing. */
	void (*sock_release)(struct host_map *m, struct host_sock *s);
	/* S is destroyed: drop everything the map holds for it. NULL: nothing. */
	void (*sock_free)(struct host_map *m, struct host_sock *s);
};

/* M when it is a map of the type whose ops are OPS, else NULL (also for M NULL).
 * A type's object embeds M first, so the result casts to it. */
static inline struct host_map *host_map__if(const struct host_map *m,
					    const struct host_map_ops *ops)
{
	return m && m->ops == ops ? (struct host_map *)m : NULL;
}

/* Every map type's ops, from the table (map_types.h). */
#define HOST_MAP_TYPE(type, ops) extern const struct host_map_ops ops;
#include "map_types.h"
#undef HOST_MAP_TYPE

/* ---- the registry (map.c) ---- */

/* Build a map for every entry of host_prog.maps; 0 or the first error (what
 * was built is freed). Reset, free: every map. */
int host_maps__init(void);
void host_maps__reset(void);
void host_maps__fini(void);

/* The map at INDEX in host_prog.maps (INDEX < host_prog.nr_maps). */
struct host_map *host_map_at(__u32 index);

/* The map whose native definition is DEF (what the program passed), or NULL. */
struct host_map *host_map_of(const void *def);

/* Tell every map that S was released / is being freed (the sock_* ops). */
void host_maps__sock_release(struct host_sock *s);
void host_maps__sock_free(struct host_sock *s);

/* How many of the program's maps before D (an entry of host_prog.maps) have
 * D's type: the number a type gives its map when it keeps a table of its own
 * (sockhash entry chains, storage bits). */
__u32 host_maps__rank(const struct host_map_def *d);
