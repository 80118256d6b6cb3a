// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * array.c: BPF_MAP_TYPE_ARRAY (kernel/bpf/arraymap.c): every element exists
 * and reads zero at first; BPF_NOEXIST gets EEXIST, an index beyond
 * max_entries E2BIG, a delete EINVAL. A reset clears only the elements a
 * lookup or an update touched since the last one. PERCPU_ARRAY is the same
 * array: the host has one CPU. The element store is allocated zeroed, so the
 * system maps its pages only as they are touched: memory follows use.
 */
#include <stdlib.h>
#include "map.h"

struct array_map {
	struct host_map map;
	__u8 *vals;
	__u32 stride;
	__u32 *touched; /* indexes handed out since the reset */
	__u8 *is_touched;
	__u32 ntouched;
};

static struct array_map *array_of(const struct host_map *m)
{
	return (struct array_map *)m;
}

static void array_free(struct host_map *m)
{
	struct array_map *a = array_of(m);

	free(a->vals);
	free(a->touched);
	free(a->is_touched);
	free(a);
}

static int array_alloc(const struct host_map_def *d, struct host_map **out)
{
	struct array_map *a;

	if (d->key_size != 4)
		return -EOPNOTSUPP;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->stride = HOST_ROUND8(d->value_size);
	a->vals = calloc(d->max_entries, a->stride);
	a->touched = calloc(d->max_entries, sizeof(__u32));
	a->is_touched = calloc(d->max_entries, 1);
	if (!a->vals || !a->touched || !a->is_touched) {
		array_free(&a->map);
		return -ENOMEM;
	}
	*out = &a->map;
	return 0;
}

static void array_reset(struct host_map *m)
{
	struct array_map *a = array_of(m);

	for (__u32 i = 0; i < a->ntouched; i++) {
		__u32 idx = a->touched[i];

		memset(a->vals + (size_t)idx * a->stride, 0, a->stride);
		a->is_touched[idx] = 0;
	}
	a->ntouched = 0;
}

static __u32 array_count(const struct host_map *m)
{
	return m->def->max_entries;
}

static void *array_lookup(const struct host_map *m, const void *key)
{
	struct array_map *a = array_of(m);
	__u32 idx;

	memcpy(&idx, key, sizeof(idx));
	if (idx >= m->def->max_entries)
		return NULL;
	/* The caller may write through the pointer: count it as touched. */
	if (!a->is_touched[idx]) {
		a->is_touched[idx] = 1;
		a->touched[a->ntouched++] = idx;
	}
	return a->vals + (size_t)idx * a->stride;
}

static int array_update(struct host_map *m, const void *key, const void *value, __u64 flags)
{
	void *val;

	if (flags > BPF_EXIST)
		return -EINVAL;
	if (flags == BPF_NOEXIST)
		return -EEXIST; /* kernel: every array element exists */
	val = array_lookup(m, key);
	if (!val)
		return -E2BIG;
	memcpy(val, value, m->def->value_size);
	return 0;
}

/* Every element, as a keyed map's entries: an order-independent sum. */
static __u64 array_digest(const struct host_map *m, __u64 h)
{
	const struct array_map *a = array_of(m);
	__u64 sum = 0;

	for (__u32 i = 0; i < m->def->max_entries; i++)
		sum += host_digest__bytes(host_digest__bytes(HOST_DIGEST_SEED, &i, sizeof(i)),
					  a->vals + (size_t)i * a->stride, m->def->value_size);
	return host_digest__bytes(h, &sum, sizeof(sum));
}

const struct host_map_ops host_array_ops = {
	.alloc = array_alloc,
	.free = array_free,
	.reset = array_reset,
	.count = array_count,
	.lookup = array_lookup,
	.update = array_update,
	.prog_lookup = array_lookup,
	.digest = array_digest,
};
