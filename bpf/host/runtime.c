// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * runtime.c: the life cycle (building, resetting and freeing maps, sockets
 * and globals), globals, clock, log capture and warnings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "fault.h"
#include "journal.h"
#include "map.h"
#include "runtime.h"
#include "sock.h"

__u64 host_now_ns = HOST_CLOCK_START;

static bool host_ready;
static __u8 **global_init; /* initial image of each global */
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

int host_init(void)
{
	int err;

	if (host_ready)
		return 0;
	host_ready = true; /* from here on, fini frees what was built */
	err = host_maps__init();
	if (err)
		goto fail;
	err = -ENOMEM;
	global_init = calloc(host_prog.nr_globals ? host_prog.nr_globals : 1, sizeof(*global_init));
	if (!global_init)
		goto fail;
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
	host_reset();
	return 0;
fail:
	host_fini();
	return err;
}

void host_fini(void)
{
	if (!host_ready)
		return;
	host_maps__fini();
	for (__u32 i = 0; global_init && i < host_prog.nr_globals; i++)
		free(global_init[i]);
	free(global_init);
	global_init = NULL;
	host_socks__fini();
	host_ready = false;
}

void host_reset(void)
{
	host_maps__reset();
	for (__u32 i = 0; i < host_prog.nr_globals; i++)
		memcpy(host_prog.globals[i].addr, global_init[i], host_prog.globals[i].size);
	host_socks__reset();
	host_fault__reset();
	host_journal__clear();
	host_now_ns = HOST_CLOCK_START;
	log_len = 0;
	log_buf[0] = '\0';
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

const struct host_struct_def *host_struct__by_name(const char *name)
{
	for (__u32 i = 0; i < host_prog.nr_structs; i++)
		if (!strcmp(host_prog.structs[i].name, name))
			return &host_prog.structs[i];
	errno = ENOENT;
	return NULL;
}

const struct host_field_def *host_struct__field(const struct host_struct_def *s, const char *name)
{
	for (const struct host_field_def *f = s ? s->fields : NULL; f && f->name; f++)
		if (!strcmp(f->name, name))
			return f;
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

/* ---- log capture ---- */

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
