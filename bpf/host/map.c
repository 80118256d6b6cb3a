// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map.c: the map registry. Binds every map of the program descriptor to the
 * ops of its type (map_types.h) and serves the user-space map API of host.h
 * through them; nothing here knows a map type.
 */
#include <stdlib.h>
#include "map.h"

static const struct host_map_ops *const map_types[] = {
#define HOST_MAP_TYPE(type, ops) [type] = &ops,
#include "map_types.h"
#undef HOST_MAP_TYPE
};

static struct host_map **maps; /* host_prog.maps[i] is maps[i] */
/* The maps with a sock_release / sock_free op, so that closing or freeing a
 * socket asks only those. */
static struct host_map **release_maps, **free_maps;
static __u32 nr_release_maps, nr_free_maps;

static const struct host_map_ops *ops_of(__u32 type)
{
	return type < sizeof(map_types) / sizeof(map_types[0]) ? map_types[type] : NULL;
}

int host_maps__init(void)
{
	size_t n = host_prog.nr_maps ? host_prog.nr_maps : 1;

	maps = calloc(n, sizeof(*maps));
	release_maps = calloc(n, sizeof(*release_maps));
	free_maps = calloc(n, sizeof(*free_maps));
	if (!maps || !release_maps || !free_maps) {
		host_maps__fini();
		return -ENOMEM;
	}
	for (__u32 i = 0; i < host_prog.nr_maps; i++) {
		const struct host_map_def *d = &host_prog.maps[i];
		const struct host_map_ops *ops = ops_of(d->type);
		int err = ops ? ops->alloc(d, &maps[i]) : -EOPNOTSUPP;

		if (err == -EOPNOTSUPP)
			host_warn("host: map %s: type %u with these sizes is not emulated\n",
				  d->name, d->type);
		if (err) {
			host_maps__fini();
			return err;
		}
		maps[i]->def = d;
		maps[i]->ops = ops;
		if (ops->sock_release)
			release_maps[nr_release_maps++] = maps[i];
		if (ops->sock_free)
			free_maps[nr_free_maps++] = maps[i];
	}
	return 0;
}

void host_maps__fini(void)
{
	for (__u32 i = 0; maps && i < host_prog.nr_maps; i++)
		if (maps[i])
			maps[i]->ops->free(maps[i]);
	free(maps);
	free(release_maps);
	free(free_maps);
	maps = release_maps = free_maps = NULL;
	nr_release_maps = nr_free_maps = 0;
}

void host_maps__reset(void)
{
	for (__u32 i = 0; i < host_prog.nr_maps; i++)
		if (maps[i]->ops->reset)
			maps[i]->ops->reset(maps[i]);
}

struct host_map *host_map__at(__u32 index)
{
	return index < host_prog.nr_maps ? maps[index] : NULL;
}

struct host_map *host_map_at(__u32 index)
{
	return maps[index];
}

struct host_map *host_map_of(const void *def)
{
	for (__u32 i = 0; i < host_prog.nr_maps; i++)
		if (host_prog.maps[i].def == def)
			return maps[i];
	return NULL;
}

void host_maps__sock_release(struct host_sock *s)
{
	for (__u32 i = 0; i < nr_release_maps; i++)
		release_maps[i]->ops->sock_release(release_maps[i], s);
}

void host_maps__sock_free(struct host_sock *s)
{
	for (__u32 i = 0; i < nr_free_maps; i++)
		free_maps[i]->ops->sock_free(free_maps[i], s);
}

__u32 host_maps__rank(const struct host_map_def *d)
{
	__u32 n = 0;

	for (const struct host_map_def *p = host_prog.maps; p < d; p++)
		n += p->type == d->type;
	return n;
}

/* ---- maps from user space ---- */

struct host_map *host_map__by_name(const char *name)
{
	for (__u32 i = 0; maps && i < host_prog.nr_maps; i++) /* none before host_init() */
		if (!strcmp(host_prog.maps[i].name, name))
			return maps[i];
	errno = ENOENT;
	return NULL;
}

const char *host_map__name(const struct host_map *m)
{
	return m->def->name;
}

__u32 host_map__type(const struct host_map *m)
{
	return m->def->type;
}

__u32 host_map__key_size(const struct host_map *m)
{
	return m->def->key_size;
}

__u32 host_map__value_size(const struct host_map *m)
{
	return m->def->value_size;
}

__u32 host_map__max_entries(const struct host_map *m)
{
	return m->def->max_entries;
}

__u32 host_map__count(const struct host_map *m)
{
	return m->ops->count ? m->ops->count(m) : 0;
}

void *host_map__lookup(const struct host_map *m, const void *key)
{
	return m->ops->lookup ? m->ops->lookup(m, key) : NULL;
}

int host_map__update(struct host_map *m, const void *key, const void *value, __u64 flags)
{
	return m->ops->update ? m->ops->update(m, key, value, flags) : -EINVAL;
}

int host_map__delete(struct host_map *m, const void *key)
{
	return m->ops->remove ? m->ops->remove(m, key) : -EINVAL;
}

bool host_map__next(const struct host_map *m, __u32 *cursor, const void **key, void **value)
{
	return m->ops->next && m->ops->next(m, cursor, key, value);
}
