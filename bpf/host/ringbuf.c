// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ringbuf.c: BPF_MAP_TYPE_RINGBUF with the kernel's capacity rule
 * (kernel/bpf/ringbuf.c) and the consumer side user space sees.
 */
#include <stdlib.h>
#include "journal.h"
#include "ringbuf.h"

#define RING_HDR_SZ   8		 /* BPF_RINGBUF_HDR_SZ */
#define RING_BUSY     (1u << 31) /* BPF_RINGBUF_BUSY_BIT */
#define RING_DISCARD  (1u << 30) /* BPF_RINGBUF_DISCARD_BIT */
#define RING_LEN_MASK (~(RING_BUSY | RING_DISCARD))

struct ring_hdr {
	__u32 len; /* size | BUSY | DISCARD */
	__u32 off; /* bytes from the ring to this header (the kernel keeps pages) */
};

struct ringbuf_map {
	struct host_map map;
	__u64 cap, prod, cons;
	__u32 ready; /* submitted records not consumed */
	/* 2 * cap: a record never wraps (the kernel maps the pages twice) */
	__u8 buf[] __attribute__((aligned(8)));
};

static struct ringbuf_map *ring_of(const struct host_map *m)
{
	return (struct ringbuf_map *)host_map__if(m, &host_ringbuf_ops);
}

static int ring_alloc(const struct host_map_def *d, struct host_map **out)
{
	struct ringbuf_map *r;

	/* kernel: a power of two and a multiple of the page size */
	if (d->max_entries < 4096 || (d->max_entries & (d->max_entries - 1)))
		return -EOPNOTSUPP;
	r = calloc(1, sizeof(*r) + 2 * (size_t)d->max_entries);
	if (!r)
		return -ENOMEM;
	r->cap = d->max_entries;
	*out = &r->map;
	return 0;
}

static void ring_free(struct host_map *m)
{
	free(ring_of(m));
}

static void ring_reset(struct host_map *m)
{
	struct ringbuf_map *r = ring_of(m);

	r->prod = r->cons = 0;
	r->ready = 0;
}

static __u32 ring_count(const struct host_map *m)
{
	return ring_of(m)->ready;
}

static struct ring_hdr *hdr_at(const struct ringbuf_map *r, __u64 pos)
{
	return (struct ring_hdr *)(r->buf + pos % r->cap);
}

static __u64 rec_cost(__u32 size)
{
	return HOST_ROUND8(size + RING_HDR_SZ);
}

void *host_ringbuf__reserve(struct host_map *m, __u64 size)
{
	struct ringbuf_map *r = ring_of(m);
	struct ring_hdr *hdr;
	__u64 len;

	if (!r || size > r->cap)
		return NULL;
	len = rec_cost((__u32)size);
	/* kernel: the producer may not get more than (size - 1) bytes ahead */
	if (len > r->cap || r->prod + len - r->cons > r->cap - 1)
		return NULL;
	hdr = hdr_at(r, r->prod);
	hdr->len = (__u32)size | RING_BUSY;
	hdr->off = (__u32)((__u8 *)hdr - (__u8 *)r);
	r->prod += len;
	memset(hdr + 1, HOST_RING_POISON, size);
	return hdr + 1;
}

void host_ringbuf__commit(void *data, bool discard)
{
	struct ring_hdr *hdr = (struct ring_hdr *)data - 1;
	struct ringbuf_map *r = (struct ringbuf_map *)((__u8 *)hdr - hdr->off);

	hdr->len &= ~RING_BUSY;
	if (discard) {
		hdr->len |= RING_DISCARD;
		return;
	}
	r->ready++;
	host_journal__add(&(struct host_effect){.kind = HOST_FX_RING_SUBMIT,
						.map = &r->map,
						.data = data,
						.size = hdr->len & RING_LEN_MASK},
			  0);
}

__u64 host_ringbuf__query(struct host_map *m, __u64 flags)
{
	struct ringbuf_map *r = ring_of(m);

	if (!r)
		return 0;
	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return r->prod - r->cons;
	case BPF_RB_RING_SIZE:
		return r->cap;
	case BPF_RB_CONS_POS:
		return r->cons;
	case BPF_RB_PROD_POS:
		return r->prod;
	default:
		return 0;
	}
}

/* ---- the consumer ---- */

/* Skip discarded records from POS, as libbpf's consumer does. */
static __u64 skip_discarded(const struct ringbuf_map *r, __u64 pos)
{
	while (pos < r->prod) {
		__u32 len = hdr_at(r, pos)->len;

		if (!(len & RING_DISCARD) || (len & RING_BUSY))
			break;
		pos += rec_cost(len & RING_LEN_MASK);
	}
	return pos;
}

/* The submitted record at POS (after skip_discarded()), or NULL when there is
 * none or it is still open. */
static const struct ring_hdr *record_at(const struct ringbuf_map *r, __u64 pos)
{
	const struct ring_hdr *hdr;

	if (pos >= r->prod)
		return NULL;
	hdr = hdr_at(r, pos);
	return hdr->len & RING_BUSY ? NULL : hdr;
}

const void *host_ring__peek(const struct host_map *m, __u32 *len)
{
	const struct ringbuf_map *r = ring_of(m);
	const struct ring_hdr *hdr = r ? record_at(r, skip_discarded(r, r->cons)) : NULL;

	if (!hdr)
		return NULL;
	if (len)
		*len = hdr->len & RING_LEN_MASK;
	return hdr + 1;
}

void host_ring__consume(struct host_map *m)
{
	struct ringbuf_map *r = ring_of(m);
	const struct ring_hdr *hdr;
	__u64 pos;

	if (!r)
		return;
	pos = skip_discarded(r, r->cons);
	hdr = record_at(r, pos);
	if (!hdr) {
		r->cons = pos;
		return;
	}
	r->cons = pos + rec_cost(hdr->len & RING_LEN_MASK);
	r->ready--;
}

__u64 host_ring__used(const struct host_map *m)
{
	const struct ringbuf_map *r = ring_of(m);

	return r ? r->prod - r->cons : 0;
}

void host_ring__drain(struct host_map *m)
{
	while (host_ring__peek(m, NULL))
		host_ring__consume(m);
}

/* The bytes in use, then every record a consumer would read, in order. */
static __u64 ring_digest(const struct host_map *m, __u64 h)
{
	const struct ringbuf_map *r = ring_of(m);
	__u64 used = r->prod - r->cons;
	const struct ring_hdr *hdr;

	h = host_digest__bytes(h, &used, sizeof(used));
	for (__u64 pos = skip_discarded(r, r->cons); (hdr = record_at(r, pos));
	     pos = skip_discarded(r, pos + rec_cost(hdr->len & RING_LEN_MASK))) {
		__u32 len = hdr->len & RING_LEN_MASK;

		h = host_digest__bytes(h, &len, sizeof(len));
		h = host_digest__bytes(h, hdr + 1, len);
	}
	return h;
}

const struct host_map_ops host_ringbuf_ops = {
	.alloc = ring_alloc,
	.free = ring_free,
	.reset = ring_reset,
	.count = ring_count,
	.digest = ring_digest,
};
