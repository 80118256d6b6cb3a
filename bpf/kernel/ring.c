// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ring.c: read a BPF ring buffer into a growing array of fixed-size records.
 *
 * libbpf advances the consumer before it calls the callback, so a record the
 * callback refuses is gone. Hence records are always taken, into an array that
 * grows, and the caller decides when it has seen enough.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "kernel_internal.h"

struct kern_ring {
	struct ring_buffer *rb;
	size_t rec_size;
	unsigned char *recs;
	size_t cnt, cap;
	int err; /* first callback error since the last poll, returned by it */
};

static int ring_take(void *ctx, void *data, size_t size)
{
	struct kern_ring *r = ctx;

	if (size != r->rec_size) {
		r->err = r->err ?: -EPROTO;
		return 0;
	}
	if (r->cnt == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		void *recs = realloc(r->recs, cap * r->rec_size);

		if (!recs) {
			r->err = r->err ?: -ENOMEM;
			return 0;
		}
		r->recs = recs;
		r->cap = cap;
	}
	memcpy(r->recs + r->cnt * r->rec_size, data, size);
	r->cnt++;
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

void kern_ring__free(struct kern_ring *r)
{
	if (!r)
		return;
	ring_buffer__free(r->rb);
	free(r->recs);
	free(r);
}

int kern_ring__poll(struct kern_ring *r, size_t want, int timeout_ms)
{
	__u64 deadline = kern_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int rounds, err;

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
	*cnt = r->cnt;
	return r->cnt ? r->recs : NULL;
}

void kern_ring__clear(struct kern_ring *r)
{
	r->cnt = 0;
}

int kern_ring__drain(struct kern_ring *r)
{
	int err = kern_ring__poll(r, 0, 0);

	kern_ring__clear(r);
	return err < 0 ? err : 0;
}
