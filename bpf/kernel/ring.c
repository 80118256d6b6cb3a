// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ring.c: read a BPF ring buffer into a growing array of records, or hand
 * each to the reader's sink.
 *
 * libbpf advances the consumer before it calls the callback, so a record the
 * callback refuses is gone. Hence records are always taken, into an array
 * that grows (or by the sink), and the caller decides when it has seen
 * enough. A reader of fixed-size records refuses others (-EPROTO); one made
 * with size 0 keeps each record with the length the ring gives it, so no
 * reader assumes a program's layout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "kernel_internal.h"

struct kern_ring {
	struct ring_buffer *rb;
	size_t rec_size;      /* 0: any */
	unsigned char *recs;  /* the records back to back */
	size_t used, room;    /* bytes of recs */
	size_t *offs;	      /* where record i starts; it ends where i + 1 starts */
	size_t cnt, cap;      /* records, and room in offs (one more for the end) */
	size_t uniform;	      /* the size every record held has; 0: none held, or mixed */
	int err;	      /* first callback error since the last poll, returned by it */
	kern_ring_sink *sink; /* else the records are held */
	void *sink_ctx;
};

static int ring_grow(struct kern_ring *r, size_t size)
{
	if (r->cnt + 1 >= r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		size_t *offs = realloc(r->offs, cap * sizeof(*offs));

		if (!offs)
			return -ENOMEM;
		r->offs = offs;
		r->cap = cap;
	}
	if (r->used + size > r->room) {
		size_t room = r->room ? 2 * r->room : 64 * (size ?: 1);
		void *recs;

		while (room < r->used + size)
			room *= 2;
		recs = realloc(r->recs, room);
		if (!recs)
			return -ENOMEM;
		r->recs = recs;
		r->room = room;
	}
	return 0;
}

static int ring_take(void *ctx, void *data, size_t size)
{
	struct kern_ring *r = ctx;

	if (r->rec_size && size != r->rec_size) {
		r->err = r->err ?: -EPROTO;
		return 0;
	}
	if (r->sink) {
		r->sink(r->sink_ctx, data, size);
		return 0;
	}
	if (ring_grow(r, size)) {
		r->err = r->err ?: -ENOMEM;
		return 0;
	}
	if (!r->cnt)
		r->uniform = size;
	else if (r->uniform != size)
		r->uniform = 0;
	r->offs[r->cnt] = r->used;
	memcpy(r->recs + r->used, data, size);
	r->used += size;
	r->offs[++r->cnt] = r->used;
	return 0;
}

struct kern_ring *kern_ring__new(int map_fd, size_t rec_size)
{
	struct kern_ring *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->rec_size = rec_size;
	r->rb = ring_buffer__new(map_fd, ring_take, r, NULL);
	if (!r->rb) {
		err = errno;
		free(r);
		errno = err;
		return NULL;
	}
	return r;
}

void kern_ring__set_sink(struct kern_ring *r, kern_ring_sink *sink, void *ctx)
{
	r->sink = sink;
	r->sink_ctx = ctx;
}

void kern_ring__free(struct kern_ring *r)
{
	if (!r)
		return;
	ring_buffer__free(r->rb);
	free(r->recs);
	free(r->offs);
	free(r);
}

int kern_ring__poll(struct kern_ring *r, size_t want, int timeout_ms)
{
	__u64 deadline = kern_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int rounds, err;

	if (!r)
		return 0;
	r->err = 0;
	/* Take what is there without waiting, then wait only for the rest. */
	err = ring_buffer__consume(r->rb);
	for (rounds = 0; err >= 0 && !r->err && r->cnt < want && rounds < KERN_WAIT_MAX_ROUNDS;
	     rounds++) {
		int left = kern_ms_left(deadline);

		if (!left)
			break;
		err = ring_buffer__poll(r->rb, left);
		if (err == -EINTR)
			err = 0;
	}
	if (err < 0)
		return err;
	if (r->err)
		return r->err;
	return r->cnt;
}

const void *kern_ring__records(const struct kern_ring *r, size_t *cnt)
{
	*cnt = r && r->uniform ? r->cnt : 0;
	return *cnt ? r->recs : NULL;
}

size_t kern_ring__count(const struct kern_ring *r)
{
	return r ? r->cnt : 0;
}

const void *kern_ring__record(const struct kern_ring *r, size_t i, size_t *len)
{
	if (!r || i >= r->cnt) {
		*len = 0;
		return NULL;
	}
	*len = r->offs[i + 1] - r->offs[i];
	return r->recs + r->offs[i];
}

void kern_ring__clear(struct kern_ring *r)
{
	if (!r)
		return;
	r->cnt = r->used = r->uniform = 0;
}

int kern_ring__drain(struct kern_ring *r)
{
	int err = kern_ring__poll(r, 0, 0);

	kern_ring__clear(r);
	return err < 0 ? err : 0;
}
