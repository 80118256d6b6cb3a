// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hash.c: BPF_MAP_TYPE_HASH with the kernel's update and delete semantics
 * (kernel/bpf/hashtab.c), and the table the SOCKHASH shares.
 */
#include <stdlib.h>
#include "host_internal.h"

static __u32 hash_bytes(const void *key, __u32 len)
{
	const __u8 *p = key;
	__u64 h = 0x9e3779b97f4a7c15ull ^ len;
	__u32 w;

	/* Word at a time; keys here are 16 or 36 bytes. */
	for (; len >= 4; len -= 4, p += 4) {
		memcpy(&w, p, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	for (; len; len--, p++)
		h = (h ^ *p) * 0xc4ceb9fe1a85ec53ull;
	return (__u32)(h ^ (h >> 32));
}

int host_hash__init(struct host_hash *h, __u32 key_size, __u32 value_size, __u32 max_entries)
{
	__u32 buckets = 1;

	while (buckets < max_entries)
		buckets <<= 1;
	memset(h, 0, sizeof(*h));
	h->mask = buckets - 1;
	h->key_off = sizeof(struct host_slot);
	h->val_off = h->key_off + HOST_ROUND8(key_size);
	h->stride = h->val_off + HOST_ROUND8(value_size);
	h->head = calloc(buckets, sizeof(*h->head));
	h->head_gen = calloc(buckets, sizeof(*h->head_gen));
	h->slots = calloc(max_entries ? max_entries : 1, h->stride);
	h->gen = 1;
	if (!h->head || !h->head_gen || !h->slots) {
		host_hash__fini(h);
		return -ENOMEM;
	}
	return 0;
}

void host_hash__fini(struct host_hash *h)
{
	free(h->head);
	free(h->head_gen);
	free(h->slots);
	memset(h, 0, sizeof(*h));
}

void host_hash__reset(struct host_hash *h)
{
	if (++h->gen == 0) { /* after 2^32 resets: make every head stale for real */
		memset(h->head_gen, 0, (size_t)(h->mask + 1) * sizeof(*h->head_gen));
		h->gen = 1;
	}
	h->count = 0;
	h->bump = 0;
	h->free_head = 0;
}

static __u32 *bucket_of(const struct host_hash *h, const void *key, __u32 key_size)
{
	__u32 b = hash_bytes(key, key_size) & h->mask;

	if (h->head_gen[b] != h->gen) {
		h->head_gen[b] = h->gen;
		h->head[b] = 0;
	}
	return &h->head[b];
}

long host_hash__find(const struct host_hash *h, const void *key, __u32 key_size)
{
	__u32 i = *bucket_of(h, key, key_size);

	for (; i; i = host_hash__slot(h, i - 1)->next)
		if (!memcmp(host_hash__key(h, i - 1), key, key_size))
			return i - 1;
	return -1;
}

long host_hash__insert(struct host_hash *h, const void *key, __u32 key_size, __u32 max_entries)
{
	__u32 *head, idx;
	struct host_slot *s;

	if (h->count >= max_entries)
		return -E2BIG;
	if (h->free_head) {
		idx = h->free_head - 1;
		h->free_head = host_hash__slot(h, idx)->next;
	} else {
		idx = h->bump++;
	}
	head = bucket_of(h, key, key_size);
	s = host_hash__slot(h, idx);
	memset(s, 0, h->stride);
	memcpy(host_hash__key(h, idx), key, key_size);
	s->live = 1;
	s->next = *head;
	*head = idx + 1;
	h->count++;
	return idx;
}

void host_hash__remove(struct host_hash *h, __u32 slot, __u32 key_size)
{
	__u32 *link = bucket_of(h, host_hash__key(h, slot), key_size);

	while (*link && *link != slot + 1)
		link = &host_hash__slot(h, *link - 1)->next;
	if (!*link)
		return;
	*link = host_hash__slot(h, slot)->next;
	host_hash__slot(h, slot)->live = 0;
	host_hash__slot(h, slot)->next = h->free_head;
	h->free_head = slot + 1;
	h->count--;
}

long host_hash__update(struct host_map *m, const void *key, const void *value, __u64 flags)
{
	const struct host_map_def *d = m->def;
	struct host_hash *h = &m->hash;
	long slot;

	/* kernel: BPF_F_LOCK needs a bpf_spin_lock in the value; ours never have one. */
	if (flags > BPF_EXIST)
		return -EINVAL;
	slot = host_hash__find(h, key, d->key_size);
	if (slot >= 0 && flags == BPF_NOEXIST)
		return -EEXIST;
	if (slot < 0 && flags == BPF_EXIST)
		return -ENOENT;
	if (slot < 0) {
		slot = host_hash__insert(h, key, d->key_size, d->max_entries);
		if (slot < 0)
			return slot; /* E2BIG: a new key when full; existing keys still update */
	}
	memcpy(host_hash__value(h, slot), value, d->value_size);
	return 0;
}

long host_hash__delete(struct host_map *m, const void *key)
{
	long slot = host_hash__find(&m->hash, key, m->def->key_size);

	if (slot < 0)
		return -ENOENT;
	host_hash__remove(&m->hash, slot, m->def->key_size);
	return 0;
}
