// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ring.c: BPF_MAP_TYPE_RINGBUF with the kernel's capacity rule
 * (kernel/bpf/ringbuf.c) and the consumer side user space sees.
 */
#include <stdlib.h>
#include "host_internal.h"

#define RING_HDR_SZ   8		 /* BPF_RINGBUF_HDR_SZ */
#define RING_BUSY     (1u << 31) /* BPF_RINGBUF_BUSY_BIT */
#define RING_DISCARD  (1u << 30) /* BPF_RINGBUF_DISCARD_BIT */
#define RING_LEN_MASK (~(RING_BUSY | RING_DISCARD))

struct ring_hdr {
	__u32 len;	 /* size | BUSY | DISCARD */
	__u32 map_index; /* the kernel keeps a page offset here; we keep the map */
};

int host_ring__init(struct host_ring *r, __u64 cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
	r->buf = calloc(2, cap);
	return r->buf ? 0 : -ENOMEM;
}

void host_ring__fini(struct host_ring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void host_ring__reset(struct host_ring *r)
{
	r->prod = r->cons = 0;
	r->ready = 0;
}

static struct ring_hdr *hdr_at(const struct host_ring *r, __u64 pos)
{
	return (struct ring_hdr *)(r->buf + pos % r->cap);
}

static __u64 rec_cost(__u32 size)
{
	return HOST_ROUND8(size + RING_HDR_SZ);
}

void *host_ring__reserve(struct host_map *m, __u64 size)
{
	struct host_ring *r = &m->ring;
	struct ring_hdr *hdr;
	__u64 len;

	if (size > r->cap)
		return NULL;
	len = rec_cost((__u32)size);
	/* kernel: the producer may not get more than (size - 1) bytes ahead */
	if (len > r->cap || r->prod + len - r->cons > r->cap - 1)
		return NULL;
	hdr = hdr_at(r, r->prod);
	hdr->len = (__u32)size | RING_BUSY;
	hdr->map_index = m->index;
	r->prod += len;
	memset(hdr + 1, HOST_RING_POISON, size);
	return hdr + 1;
}

void host_ring__commit(void *data, bool discard)
{
	struct ring_hdr *hdr = (struct ring_hdr *)data - 1;
	struct host_map *m = host_map_at(hdr->map_index);

	hdr->len &= ~RING_BUSY;
	if (discard) {
		hdr->len |= RING_DISCARD;
		return;
	}
	m->ring.ready++;
	host_journal__add(&(struct host_effect){.kind = HOST_FX_RING_SUBMIT,
						.map = m,
						.data = data,
						.size = hdr->len & RING_LEN_MASK});
}

/* Skip discarded records at the consumer, as libbpf's consumer does. */
static __u64 first_record(const struct host_ring *r)
{
	__u64 pos = r->cons;

	while (pos < r->prod) {
		__u32 len = hdr_at(r, pos)->len;

		if (!(len & RING_DISCARD) || (len & RING_BUSY))
			break;
		pos += rec_cost(len & RING_LEN_MASK);
	}
	return pos;
}

const void *host_ring__peek(const struct host_map *m, __u32 *len)
{
	const struct host_ring *r = &m->ring;
	__u64 pos = first_record(r);
	struct ring_hdr *hdr;

	if (pos >= r->prod)
		return NULL;
	hdr = hdr_at(r, pos);
	if (hdr->len & RING_BUSY)
		return NULL;
	if (len)
		*len = hdr->len & RING_LEN_MASK;
	return hdr + 1;
}

void host_ring__consume(struct host_map *m)
{
	struct host_ring *r = &m->ring;
	__u64 pos = first_record(r);
	__u32 len;

	if (pos >= r->prod || (hdr_at(r, pos)->len & RING_BUSY)) {
		r->cons = pos;
		return;
	}
	len = hdr_at(r, pos)->len & RING_LEN_MASK;
	r->cons = pos + rec_cost(len);
	r->ready--;
}

__u64 host_ring__used(const struct host_map *m)
{
	return m->ring.prod - m->ring.cons;
}

void host_ring__drain(struct host_map *m)
{
	while (host_ring__peek(m, NULL))
		host_ring__consume(m);
}
