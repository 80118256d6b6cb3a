/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * hashtab.h: the table under HASH and SOCKHASH: chaining over a
 * preallocated slot array. A bucket head counts only when its generation is
 * current, so a reset is one increment. Slots are handed out by a bump index,
 * then from a free list, so the slot order of the same operations is always
 * the same. A leaf.
 */
#pragma once

#include "host_internal.h"

struct host_htab {
	__u32 mask;  /* buckets - 1 */
	__u32 *head; /* slot index + 1 */
	__u32 *head_gen;
	__u32 gen;
	__u8 *slots; /* struct htab_slot, key, value; stride bytes each */
	__u32 stride, key_off, val_off;
	__u32 key_size, max_entries;
	__u32 count, bump, free_head;
};

/* A table of MAX_ENTRIES entries of KEY_SIZE + VALUE_SIZE bytes: 0 or -ENOMEM. */
int host_htab__init(struct host_htab *t, __u32 key_size, __u32 value_size, __u32 max_entries);
void host_htab__fini(struct host_htab *t);
void host_htab__reset(struct host_htab *t);

/* Slot index of KEY or -1. */
long host_htab__find(const struct host_htab *t, const void *key);
/* Insert KEY (absent) with a zeroed value and return its slot, or -E2BIG
 * when max_entries are used. */
long host_htab__insert(struct host_htab *t, const void *key);
void host_htab__remove(struct host_htab *t, __u32 slot);

static inline void *host_htab__key(const struct host_htab *t, __u32 slot)
{
	return t->slots + (size_t)slot * t->stride + t->key_off;
}

static inline void *host_htab__value(const struct host_htab *t, __u32 slot)
{
	return t->slots + (size_t)slot * t->stride + t->val_off;
}

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
