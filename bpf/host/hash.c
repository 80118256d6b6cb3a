// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hash.c: BPF_MAP_TYPE_HASH with the kernel's update and delete semantics
 * (kernel/bpf/hashtab.c): E2BIG for a new key when full, EEXIST for
 * BPF_NOEXIST, ENOENT for BPF_EXIST and for deleting a missing key.
 * PERCPU_HASH is the same table: the host has one CPU, so the program's
 * value is the one value and user space sees it alone.
 *
 * LRU_HASH: a new key when full evicts the entry used longest ago instead of
 * failing. "Used" is an insert, an update or a lookup by the program (user
 * space's lookups do not count, as in the kernel). The kernel's LRU is
 * approximate (per-CPU free lists, batched shrinking); the host's is exact
 * and deterministic: for the same calls, the same entry goes. Eviction scans
 * the table (O(entries)), a cost paid only by a full LRU map.
 */
#include <stdlib.h>
#include "hashtab.h"
#include "map.h"

struct hash_map {
	struct host_map map;
	struct host_htab tab;
	bool lru;
};

static struct hash_map *hash_of(const struct host_map *m)
{
	return (struct hash_map *)m;
}

static int hash_alloc(const struct host_map_def *d, struct host_map **out)
{
	struct hash_map *h = calloc(1, sizeof(*h));

	if (!h || host_htab__init(&h->tab, d->key_size, d->value_size, d->max_entries)) {
		free(h);
		return -ENOMEM;
	}
	h->lru = d->type == BPF_MAP_TYPE_LRU_HASH || d->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	*out = &h->map;
	return 0;
}

static void hash_free(struct host_map *m)
{
	host_htab__fini(&hash_of(m)->tab);
	free(hash_of(m));
}

static void hash_reset(struct host_map *m)
{
	host_htab__reset(&hash_of(m)->tab);
}

static __u32 hash_count(const struct host_map *m)
{
	return hash_of(m)->tab.count;
}

static void *hash_lookup(const struct host_map *m, const void *key)
{
	long slot = host_htab__find(&hash_of(m)->tab, key);

	return slot < 0 ? NULL : host_htab__value(&hash_of(m)->tab, slot);
}

/* The program's lookup: an LRU entry counts as used. */
static void *hash_prog_lookup(const struct host_map *m, const void *key)
{
	struct host_htab *t = &hash_of(m)->tab;
	long slot = host_htab__find(t, key);

	if (slot < 0)
		return NULL;
	if (hash_of(m)->lru)
		host_htab__touch(t, slot);
	return host_htab__value(t, slot);
}

static int hash_update(struct host_map *m, const void *key, const void *value, __u64 flags)
{
	struct host_htab *t = &hash_of(m)->tab;
	bool fresh;
	long slot = host_htab__upsert(t, key, flags, &fresh);

	if (slot == -E2BIG && hash_of(m)->lru) {
		host_htab__remove(t, host_htab__oldest(t)); /* full: never empty */
		slot = host_htab__upsert(t, key, flags, &fresh);
	}
	if (slot < 0)
		return slot; /* the map is unchanged; existing keys still update when full */
	if (!fresh && hash_of(m)->lru)
		host_htab__touch(t, slot);
	memcpy(host_htab__value(t, slot), value, m->def->value_size);
	return 0;
}

static int hash_delete(struct host_map *m, const void *key)
{
	struct host_htab *t = &hash_of(m)->tab;
	long slot = host_htab__find(t, key);

	if (slot < 0)
		return -ENOENT;
	host_htab__remove(t, slot);
	return 0;
}

static bool hash_next(const struct host_map *m, __u32 *cursor, const void **key, void **value)
{
	return host_htab__next(&hash_of(m)->tab, cursor, key, value);
}

static __u64 hash_digest(const struct host_map *m, __u64 h)
{
	return host_htab__digest(&hash_of(m)->tab, h, m->def->value_size);
}

const struct host_map_ops host_hash_ops = {
	.alloc = hash_alloc,
	.free = hash_free,
	.reset = hash_reset,
	.count = hash_count,
	.lookup = hash_lookup,
	.update = hash_update,
	.remove = hash_delete,
	.prog_lookup = hash_prog_lookup,
	.next = hash_next,
	.digest = hash_digest,
};
