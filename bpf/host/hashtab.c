// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hashtab.c: the chained table HASH and SOCKHASH share (hashtab.h).
 */
#include <stdlib.h>
#include "hashtab.h"
#include "lib/words.h"

struct htab_slot {
	__u32 next; /* chain: slot index + 1, 0 ends */
	__u32 live;
	__u64 used; /* stamp of the last use (LRU) */
};

#define CHUNK_SLOTS (1u << HOST_HTAB_CHUNK_SHIFT)
#define MIN_BUCKETS 1024u

static struct htab_slot *slot_at(const struct host_htab *t, __u32 slot)
{
	return (struct htab_slot *)host_htab__slot(t, slot);
}

static __u32 pow2_at_least(__u32 n)
{
	__u32 p = 1;

	while (p < n && p < 0x80000000u)
		p <<= 1;
	return p;
}

/* Buckets for N heads, all stale: 0 or -ENOMEM (the old ones stay then). */
static int buckets_alloc(struct host_htab *t, __u32 n)
{
	__u32 *head = calloc(n, sizeof(*head)), *gen = calloc(n, sizeof(*gen));

	if (!head || !gen) {
		free(head);
		free(gen);
		return -ENOMEM;
	}
	free(t->head);
	free(t->head_gen);
	t->head = head;
	t->head_gen = gen;
	t->mask = n - 1;
	t->gen = 1;
	return 0;
}

int host_htab__init(struct host_htab *t, __u32 key_size, __u32 value_size, __u32 max_entries)
{
	__u32 most = pow2_at_least(max_entries);

	memset(t, 0, sizeof(*t));
	t->max_mask = most - 1;
	t->key_size = key_size;
	t->max_entries = max_entries;
	t->key_off = sizeof(struct htab_slot);
	t->val_off = t->key_off + HOST_ROUND8(key_size);
	t->stride = t->val_off + HOST_ROUND8(value_size);
	t->chunks = calloc((max_entries + CHUNK_SLOTS - 1) / CHUNK_SLOTS + 1, sizeof(*t->chunks));
	if (!t->chunks || buckets_alloc(t, most < MIN_BUCKETS ? most : MIN_BUCKETS)) {
		host_htab__fini(t);
		return -ENOMEM;
	}
	return 0;
}

void host_htab__fini(struct host_htab *t)
{
	for (__u32 i = 0; i < t->nr_chunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->head);
	free(t->head_gen);
	memset(t, 0, sizeof(*t));
}

void host_htab__reset(struct host_htab *t)
{
	if (++t->gen == 0) { /* after 2^32 resets: make every head stale for real */
		memset(t->head_gen, 0, (size_t)(t->mask + 1) * sizeof(*t->head_gen));
		t->gen = 1;
	}
	t->count = 0;
	t->bump = 0;
	t->free_head = 0;
	t->clock = 0;
}

static __u32 *bucket_of(const struct host_htab *t, const void *key)
{
	__u32 b = sf_hash_bytes(key, t->key_size) & t->mask;

	if (t->head_gen[b] != t->gen) {
		t->head_gen[b] = t->gen;
		t->head[b] = 0;
	}
	return &t->head[b];
}

long host_htab__find(const struct host_htab *t, const void *key)
{
	__u32 i = *bucket_of(t, key);

	for (; i; i = slot_at(t, i - 1)->next)
		if (sf_same_bytes(host_htab__key(t, i - 1), key, t->key_size))
			return i - 1;
	return -1;
}

/* Twice the buckets, every live slot rehashed into them (slot order, so the
 * chains are the same for the same history). Failing leaves the old ones. */
static void buckets_grow(struct host_htab *t)
{
	__u32 n = (t->mask + 1) * 2;

	if (buckets_alloc(t, n))
		return; /* longer chains, same answers */
	for (__u32 i = 0; i < t->bump; i++) {
		__u32 *head;

		if (!slot_at(t, i)->live)
			continue;
		head = bucket_of(t, host_htab__key(t, i));
		slot_at(t, i)->next = *head;
		*head = i + 1;
	}
}

long host_htab__insert(struct host_htab *t, const void *key)
{
	__u32 *head, idx;
	struct htab_slot *s;

	if (t->count >= t->max_entries)
		return -E2BIG;
	if (t->free_head) {
		idx = t->free_head - 1;
		t->free_head = slot_at(t, idx)->next;
	} else {
		if (t->bump / CHUNK_SLOTS >= t->nr_chunks) {
			__u32 n = t->max_entries - t->bump < CHUNK_SLOTS ? t->max_entries - t->bump
									 : CHUNK_SLOTS;
			__u8 *c = malloc((size_t)n * t->stride);

			if (!c)
				return -ENOMEM;
			t->chunks[t->nr_chunks++] = c;
		}
		if (t->bump > t->mask && t->mask < t->max_mask)
			buckets_grow(t); /* before the new slot counts: its bytes are not yet set */
		idx = t->bump++;
	}
	head = bucket_of(t, key);
	s = slot_at(t, idx);
	memset(s, 0, t->stride);
	memcpy(host_htab__key(t, idx), key, t->key_size);
	s->live = 1;
	s->used = ++t->clock;
	s->next = *head;
	*head = idx + 1;
	t->count++;
	return idx;
}

void host_htab__touch(struct host_htab *t, __u32 slot)
{
	slot_at(t, slot)->used = ++t->clock;
}

long host_htab__oldest(const struct host_htab *t)
{
	long best = -1;

	for (__u32 i = 0; i < t->bump; i++)
		if (slot_at(t, i)->live &&
		    (best < 0 || slot_at(t, i)->used < slot_at(t, best)->used))
			best = i;
	return best;
}

void host_htab__remove(struct host_htab *t, __u32 slot)
{
	__u32 *link = bucket_of(t, host_htab__key(t, slot));

	while (*link && *link != slot + 1)
		link = &slot_at(t, *link - 1)->next;
	if (!*link)
		return;
	*link = slot_at(t, slot)->next;
	slot_at(t, slot)->live = 0;
	slot_at(t, slot)->next = t->free_head;
	t->free_head = slot + 1;
	t->count--;
}

long host_htab__upsert(struct host_htab *t, const void *key, __u64 flags, bool *fresh)
{
	long slot;

	/* kernel: BPF_F_LOCK needs a bpf_spin_lock in the value; ours never have one. */
	if (flags > BPF_EXIST)
		return -EINVAL;
	slot = host_htab__find(t, key);
	if (slot >= 0 && flags == BPF_NOEXIST)
		return -EEXIST;
	if (slot < 0 && flags == BPF_EXIST)
		return -ENOENT;
	*fresh = slot < 0;
	if (slot < 0)
		slot = host_htab__insert(t, key); /* E2BIG: a new key when full */
	return slot;
}

bool host_htab__next(const struct host_htab *t, __u32 *cursor, const void **key, void **value)
{
	for (; *cursor < t->bump; (*cursor)++) {
		if (!slot_at(t, *cursor)->live)
			continue;
		if (key)
			*key = host_htab__key(t, *cursor);
		if (value)
			*value = host_htab__value(t, *cursor);
		(*cursor)++;
		return true;
	}
	return false;
}

__u64 host_htab__digest(const struct host_htab *t, __u64 h, __u32 value_bytes)
{
	__u64 sum = 0;

	for (__u32 i = 0; i < t->bump; i++) {
		if (!slot_at(t, i)->live)
			continue;
		sum += host_digest__bytes(
			host_digest__bytes(HOST_DIGEST_SEED, host_htab__key(t, i), t->key_size),
			host_htab__value(t, i), value_bytes);
	}
	return host_digest__bytes(h, &sum, sizeof(sum));
}
