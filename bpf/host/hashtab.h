/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * hashtab.h: the table under HASH, LRU_HASH and SOCKHASH: chaining over slots
 * that live in fixed-size chunks. A bucket head counts only when its
 * generation is current, so a reset is one increment. Slots are handed out by
 * a bump index, then from a free list, so the slot order of the same
 * operations is always the same. A leaf.
 *
 * Memory follows use, not max_entries: a chunk of slots is allocated when the
 * bump index first reaches it, and the buckets double (a rehash) when the
 * slots in use outgrow them, up to max_entries rounded to a power of two.
 * Nothing shrinks, so a fuzz loop allocates only when a run goes further than
 * every run before it; a value's address never moves (chunks stay put).
 */
#pragma once

#include "host_internal.h"

#define HOST_HTAB_CHUNK_SHIFT 10 /* 1024 slots a chunk */

struct host_htab {
	__u32 mask;  /* buckets - 1 */
	__u32 *head; /* slot index + 1 */
	__u32 *head_gen;
	__u32 gen;
	__u32 max_mask;	 /* the most buckets - 1 */
	__u8 **chunks;	 /* slots: struct htab_slot, key, value; stride bytes each */
	__u32 nr_chunks; /* allocated, from the first */
	__u32 stride, key_off, val_off;
	__u32 key_size, max_entries;
	__u32 count, bump, free_head;
	__u64 clock; /* use stamps (host_htab__touch()) */
};

/* A table of MAX_ENTRIES entries of KEY_SIZE + VALUE_SIZE bytes: 0 or -ENOMEM. */
int host_htab__init(struct host_htab *t, __u32 key_size, __u32 value_size, __u32 max_entries);
void host_htab__fini(struct host_htab *t);
void host_htab__reset(struct host_htab *t);

/* Slot index of KEY or -1. */
long host_htab__find(const struct host_htab *t, const void *key);
/* Insert KEY (absent) with a zeroed value and return its slot, or -E2BIG
 * when max_entries are used, -ENOMEM when a chunk cannot be had. */
long host_htab__insert(struct host_htab *t, const void *key);
void host_htab__remove(struct host_htab *t, __u32 slot);

static inline __u8 *host_htab__slot(const struct host_htab *t, __u32 slot)
{
	return t->chunks[slot >> HOST_HTAB_CHUNK_SHIFT] +
	       (size_t)(slot & ((1u << HOST_HTAB_CHUNK_SHIFT) - 1)) * t->stride;
}

static inline void *host_htab__key(const struct host_htab *t, __u32 slot)
{
	return host_htab__slot(t, slot) + t->key_off;
}

static inline void *host_htab__value(const struct host_htab *t, __u32 slot)
{
	return host_htab__slot(t, slot) + t->val_off;
}

/* Mark SLOT as used now (LRU order); insert marks a slot too. */
void host_htab__touch(struct host_htab *t, __u32 slot);
/* The live slot used longest ago, or -1 for an empty table: O(entries). */
long host_htab__oldest(const struct host_htab *t);

/* The kernel's checks of an update's FLAGS against KEY's presence
 * (htab_map_update_elem, sock_hash_update_common): the slot of KEY, inserted
 * when new, else -EINVAL, -EEXIST, -ENOENT or -E2BIG. *FRESH says whether the
 * slot was inserted. */
long host_htab__upsert(struct host_htab *t, const void *key, __u64 flags, bool *fresh);

/* The live entries in slot order, as host_map__next(). */
bool host_htab__next(const struct host_htab *t, __u32 *cursor, const void **key, void **value);

/* H folded with an order-independent sum over the entries of
 * digest(key, first VALUE_BYTES of the value). */
__u64 host_htab__digest(const struct host_htab *t, __u64 h, __u32 value_bytes);
