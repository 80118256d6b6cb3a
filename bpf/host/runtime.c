// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * runtime.c: binding the generated program descriptor to native map objects;
 * reset; globals, clock, journal and log capture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "host_internal.h"

__u64 host_now_ns = HOST_CLOCK_START;
bool host_ready;

static struct host_map *maps;
static __u8 **global_init; /* initial image of each global */
static struct host_effect journal[HOST_JOURNAL_MAX];
/* Keys and values copied out of the program's stack, which is gone after it returns. */
static __u8 journal_keys[HOST_JOURNAL_MAX][HOST_JOURNAL_COPY];
static __u8 journal_vals[HOST_JOURNAL_MAX][HOST_JOURNAL_COPY];
static unsigned int journal_len;
static bool journal_overflow;
static char log_buf[HOST_LOG_CAPTURE];
static size_t log_len;

static void print_stderr(const char *msg)
{
	fputs(msg, stderr);
}

static host_print_fn print_fn = print_stderr;

void host_set_print(host_print_fn fn)
{
	print_fn = fn;
}

void host_warn(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_fn(msg);
}

struct host_map *host_map_at(__u32 index)
{
	return &maps[index];
}

struct host_map *host_map_of(const void *def)
{
	for (__u32 i = 0; i < host_prog.nr_maps; i++)
		if (host_prog.maps[i].def == def)
			return &maps[i];
	return NULL;
}

static int map_init(struct host_map *m, __u32 *nr_skstor)
{
	const struct host_map_def *d = m->def;

	switch (d->type) {
	case BPF_MAP_TYPE_HASH:
		return host_hash__init(&m->hash, d->key_size, d->value_size, d->max_entries);
	case BPF_MAP_TYPE_SOCKHASH:
		if (d->max_entries > 0x10000) /* sockets chain entries by a 16-bit slot */
			break;
		return host_hash__init(&m->hash, d->key_size, sizeof(__u32), d->max_entries);
	case BPF_MAP_TYPE_RINGBUF:
		/* kernel: a power of two and a multiple of the page size */
		if (d->max_entries < 4096 || (d->max_entries & (d->max_entries - 1)))
			break;
		return host_ring__init(&m->ring, d->max_entries);
	case BPF_MAP_TYPE_ARRAY:
		if (d->key_size != 4)
			break;
		m->array.stride = HOST_ROUND8(d->value_size);
		m->array.vals = calloc(d->max_entries, m->array.stride);
		m->array.touched = calloc(d->max_entries, sizeof(__u32));
		m->array.is_touched = calloc(d->max_entries, 1);
		return m->array.vals && m->array.touched && m->array.is_touched ? 0 : -ENOMEM;
	case BPF_MAP_TYPE_SK_STORAGE:
		if (*nr_skstor == HOST_MAX_SK_STORAGE)
			break;
		m->skstor.bit = (*nr_skstor)++;
		m->skstor.stride = HOST_ROUND8(d->value_size);
		m->skstor.vals = calloc(HOST_MAX_SOCKS, m->skstor.stride);
		return m->skstor.vals ? 0 : -ENOMEM;
	default:
		break;
	}
	host_warn("host: map %s: type %u with these sizes is not emulated\n", d->name, d->type);
	return -EOPNOTSUPP;
}

static void map_fini(struct host_map *m)
{
	switch (m->def->type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_SOCKHASH:
		host_hash__fini(&m->hash);
		break;
	case BPF_MAP_TYPE_RINGBUF:
		host_ring__fini(&m->ring);
		break;
	case BPF_MAP_TYPE_ARRAY:
		free(m->array.vals);
		free(m->array.touched);
		free(m->array.is_touched);
		break;
	case BPF_MAP_TYPE_SK_STORAGE:
		free(m->skstor.vals);
		break;
	default:
		break;
	}
}

static void map_reset(struct host_map *m)
{
	switch (m->def->type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_SOCKHASH:
		host_hash__reset(&m->hash);
		break;
	case BPF_MAP_TYPE_RINGBUF:
		host_ring__reset(&m->ring);
		break;
	case BPF_MAP_TYPE_ARRAY:
		for (__u32 i = 0; i < m->array.ntouched; i++) {
			__u32 idx = m->array.touched[i];

			memset(m->array.vals + (size_t)idx * m->array.stride, 0, m->array.stride);
			m->array.is_touched[idx] = 0;
		}
		m->array.ntouched = 0;
		break;
	case BPF_MAP_TYPE_SK_STORAGE:
		m->skstor.count = 0; /* the sockets' storage bits go with the sockets */
		break;
	default:
		break;
	}
}

int host_init(void)
{
	__u32 nr_skstor = 0;
	int err = -ENOMEM;

	if (host_ready)
		return 0;
	maps = calloc(host_prog.nr_maps ? host_prog.nr_maps : 1, sizeof(*maps));
	global_init = calloc(host_prog.nr_globals ? host_prog.nr_globals : 1, sizeof(*global_init));
	if (!maps || !global_init)
		goto fail;
	for (__u32 i = 0; i < host_prog.nr_maps; i++) {
		maps[i].def = &host_prog.maps[i];
		maps[i].index = i;
		err = map_init(&maps[i], &nr_skstor);
		if (err)
			goto fail;
	}
	err = -ENOMEM;
	for (__u32 i = 0; i < host_prog.nr_globals; i++) {
		const struct host_global_def *g = &host_prog.globals[i];

		global_init[i] = malloc(g->size ? g->size : 1);
		if (!global_init[i])
			goto fail;
		memcpy(global_init[i], g->addr, g->size);
	}
	err = host_socks__init();
	if (err)
		goto fail;
	host_ready = true;
	host_reset();
	return 0;
fail:
	host_ready = true; /* let fini free what was built */
	host_fini();
	return err;
}

void host_fini(void)
{
	if (!host_ready)
		return;
	for (__u32 i = 0; maps && i < host_prog.nr_maps; i++)
		if (maps[i].def)
			map_fini(&maps[i]);
	for (__u32 i = 0; global_init && i < host_prog.nr_globals; i++)
		free(global_init[i]);
	free(maps);
	free(global_init);
	maps = NULL;
	global_init = NULL;
	host_socks__fini();
	host_ready = false;
}

void host_reset(void)
{
	for (__u32 i = 0; i < host_prog.nr_maps; i++)
		map_reset(&maps[i]);
	for (__u32 i = 0; i < host_prog.nr_globals; i++)
		memcpy(host_prog.globals[i].addr, global_init[i], host_prog.globals[i].size);
	host_socks__reset();
	host_fault__reset();
	host_journal__clear();
	host_now_ns = HOST_CLOCK_START;
	log_len = 0;
	log_buf[0] = '\0';
}

/* ---- maps from user space ---- */

struct host_map *host_map__by_name(const char *name)
{
	for (__u32 i = 0; i < host_prog.nr_maps; i++)
		if (!strcmp(host_prog.maps[i].name, name))
			return &maps[i];
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
	switch (m->def->type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_SOCKHASH:
		return m->hash.count;
	case BPF_MAP_TYPE_RINGBUF:
		return m->ring.ready;
	case BPF_MAP_TYPE_SK_STORAGE:
		return m->skstor.count;
	case BPF_MAP_TYPE_ARRAY:
		return m->def->max_entries;
	default:
		return 0;
	}
}

void *host_map__lookup(const struct host_map *m, const void *key)
{
	long slot;
	__u32 idx;

	switch (m->def->type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_SOCKHASH:
		slot = host_hash__find(&m->hash, key, m->def->key_size);
		return slot < 0 ? NULL : host_hash__value(&m->hash, slot);
	case BPF_MAP_TYPE_ARRAY:
		memcpy(&idx, key, sizeof(idx));
		if (idx >= m->def->max_entries)
			return NULL;
		/* The caller may write through the pointer: count it as touched. */
		if (!m->array.is_touched[idx]) {
			struct host_array *a = (struct host_array *)&m->array;

			a->is_touched[idx] = 1;
			a->touched[a->ntouched++] = idx;
		}
		return m->array.vals + (size_t)idx * m->array.stride;
	default:
		return NULL;
	}
}

int host_map__update(struct host_map *m, const void *key, const void *value, __u64 flags)
{
	void *val;

	switch (m->def->type) {
	case BPF_MAP_TYPE_HASH:
		return host_hash__update(m, key, value, flags);
	case BPF_MAP_TYPE_ARRAY:
		if (flags > BPF_EXIST)
			return -EINVAL;
		if (flags == BPF_NOEXIST)
			return -EEXIST; /* kernel: every array element exists */
		val = host_map__lookup(m, key);
		if (!val)
			return -E2BIG;
		memcpy(val, value, m->def->value_size);
		return 0;
	default:
		return -EINVAL;
	}
}

int host_map__delete(struct host_map *m, const void *key)
{
	switch (m->def->type) {
	case BPF_MAP_TYPE_HASH:
		return host_hash__delete(m, key);
	case BPF_MAP_TYPE_ARRAY:
		return -EINVAL; /* kernel: array elements cannot be deleted */
	default:
		return -EINVAL;
	}
}

bool host_map__next(const struct host_map *m, __u32 *cursor, const void **key, void **value)
{
	const struct host_hash *h = &m->hash;

	if (m->def->type != BPF_MAP_TYPE_HASH && m->def->type != BPF_MAP_TYPE_SOCKHASH)
		return false;
	for (; *cursor < h->bump; (*cursor)++) {
		if (!host_hash__slot(h, *cursor)->live)
			continue;
		if (key)
			*key = host_hash__key(h, *cursor);
		if (value)
			*value = host_hash__value(h, *cursor);
		(*cursor)++;
		return true;
	}
	return false;
}

/* ---- globals, clock ---- */

void *host_global__ptr(const char *name, size_t *size)
{
	for (__u32 i = 0; i < host_prog.nr_globals; i++) {
		if (strcmp(host_prog.globals[i].name, name))
			continue;
		if (size)
			*size = host_prog.globals[i].size;
		return host_prog.globals[i].addr;
	}
	errno = ENOENT;
	return NULL;
}

int host_global__set(const char *name, const void *value, size_t size)
{
	size_t have;
	void *p = host_global__ptr(name, &have);

	if (!p)
		return -ENOENT;
	if (have != size)
		return -EINVAL;
	memcpy(p, value, size);
	return 0;
}

void host_clock__set(__u64 ns)
{
	host_now_ns = ns;
}

void host_clock__advance(__u64 ns)
{
	host_now_ns += ns;
}

__u64 host_clock__now(void)
{
	return host_now_ns;
}

/* ---- journal, log capture ---- */

void host_journal__add(const struct host_effect *e)
{
	if (journal_len == HOST_JOURNAL_MAX) {
		journal_overflow = true;
		return;
	}
	journal[journal_len] = *e;
	if (e->key && e->map) {
		__u32 n = e->map->def->key_size;

		memcpy(journal_keys[journal_len], e->key,
		       n < HOST_JOURNAL_COPY ? n : HOST_JOURNAL_COPY);
		journal[journal_len].key = journal_keys[journal_len];
	}
	if (e->kind == HOST_FX_MAP_UPDATE && e->data) {
		__u32 n = e->size;

		memcpy(journal_vals[journal_len], e->data,
		       n < HOST_JOURNAL_COPY ? n : HOST_JOURNAL_COPY);
		journal[journal_len].data = journal_vals[journal_len];
	}
	journal_len++;
}

void host_journal__clear(void)
{
	journal_len = 0;
	journal_overflow = false;
}

const struct host_effect *host_journal(unsigned int *n, bool *overflow)
{
	*n = journal_len;
	if (overflow)
		*overflow = journal_overflow;
	return journal;
}

void host_log__append(const char *text)
{
	size_t n = strlen(text), room = sizeof(log_buf) - 1 - log_len;

	if (n > room)
		n = room;
	memcpy(log_buf + log_len, text, n);
	log_len += n;
	log_buf[log_len] = '\0';
}

const char *host_log__text(void)
{
	return log_buf;
}
