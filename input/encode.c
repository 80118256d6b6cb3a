// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * encode.c: a run to its shortest binary form, the exact inverse of decode.c
 * on in-range runs (input/FORMAT.md). Each value is written as its first pool
 * index, or as the escape and a literal; trailing zero bytes are dropped since
 * the decoder reads missing bytes as zero.
 */
#include <string.h>
#include "input/input_internal.h"

struct writer {
	uint8_t *buf;
	size_t cap, pos;
	size_t end; /* just past the last non-zero byte: the encoding's size */
};

static void wr_u8(struct writer *w, __u8 b)
{
	if (w->pos < w->cap)
		w->buf[w->pos] = b;
	w->pos++;
	if (b)
		w->end = w->pos;
}

static void wr_le(struct writer *w, __u64 v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		wr_u8(w, v >> (8 * i));
}

static void wr_bytes(struct writer *w, const void *src, size_t n)
{
	const __u8 *s = src;

	for (size_t i = 0; i < n; i++)
		wr_u8(w, s[i]);
}

static void wr_pool(struct writer *w, const struct sf_pool *p, __u64 v)
{
	for (unsigned int i = 0; i < p->n; i++) {
		if (p->v[i] == v) {
			wr_u8(w, i);
			return;
		}
	}
	wr_u8(w, SF_ESC);
	wr_le(w, v, p->lit_bytes);
}

/* Index of A in POOL (N entries), or -1. */
static int addr_index(const struct sf_addr *pool, unsigned int n, const struct sf_addr *a)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!memcmp(&pool[i], a, sizeof(*a)))
			return i;
	}
	return -1;
}

/* AF_INET lifecycle address: IPv4-mapped by precondition, so only word 3 is
 * kept. */
static void wr_addr4(struct writer *w, const struct sf_addr *a)
{
	int i = addr_index(sf_addr4_pool, SF_ADDR4_N, a);

	if (i >= 0) {
		wr_u8(w, i);
		return;
	}
	wr_u8(w, SF_ESC);
	wr_bytes(w, &a->w[3], 4);
}

static void wr_addr(struct writer *w, const struct sf_addr *a)
{
	int i = addr_index(sf_addr_pool, SF_ADDR_N, a);

	if (i >= 0) {
		wr_u8(w, i);
		return;
	}
	wr_u8(w, SF_ESC);
	wr_bytes(w, a, sizeof(*a));
}

static void wr_global(struct writer *w, const struct sf_addr *a)
{
	int i = addr_index(sf_addr_pool, SF_ADDR_N, a);

	if (lo_addr_is_zero(a)) {
		wr_u8(w, 0);
	} else if (i >= 0) {
		wr_u8(w, i + 1);
	} else {
		wr_u8(w, SF_ESC);
		wr_bytes(w, a, sizeof(*a));
	}
}

static void wr_sock_addr(struct writer *w, const struct sf_kind_def *k, const struct sf_step *st,
			 const struct sf_addr *a)
{
	if (!(k->fields & SF_USE_ANY_FAMILY) && st->family == SF_AF_INET)
		wr_addr4(w, a);
	else
		wr_addr(w, a);
}

static void wr_step(struct writer *w, const struct sf_step *st)
{
	/* Out of range by precondition; keep the write in bounds all the same. */
	unsigned int kind = st->kind < SF_KIND__COUNT ? st->kind : SF_RAW;
	const struct sf_kind_def *k = sf_kind_def(kind);
	unsigned int f = k->fields;

	wr_u8(w, k->code);
	if (f & SF_USE_SLOT)
		wr_u8(w, st->slot);
	if (f & SF_USE_PEER)
		wr_u8(w, st->peer);
	if (f & SF_USE_FLAGS)
		wr_u8(w, st->flags);
	if (f & SF_USE_FAMILY) {
		if (f & SF_USE_ANY_FAMILY)
			wr_pool(w, &sf_pool_family, st->family);
		else
			wr_u8(w, st->family == SF_AF_INET6);
	}
	if (f & SF_USE_OP)
		wr_pool(w, &sf_pool_op, st->op);
	if (f & SF_USE_GLOBAL)
		wr_global(w, &st->local);
	else if (f & SF_USE_LOCAL)
		wr_sock_addr(w, k, st, &st->local);
	if (f & SF_USE_LPORT)
		wr_pool(w, &sf_pool_port, st->lport);
	if (f & SF_USE_REMOTE)
		wr_sock_addr(w, k, st, &st->remote);
	if (f & SF_USE_RPORT)
		wr_pool(w, &sf_pool_port, st->rport);
	if (f & SF_USE_ARGS) {
		for (unsigned int i = 0; i < 4; i++)
			wr_pool(w, &sf_pool_state, st->args[i]);
	}
	if (f & SF_USE_STATE)
		wr_pool(w, &sf_pool_state, st->state);
	if (f & SF_USE_VALUE)
		wr_pool(w, k->value, st->value);
	if (f & SF_USE_TCP) {
		wr_pool(w, &sf_pool_tcp32, st->tcp.srtt_us);
		wr_pool(w, &sf_pool_tcp32, st->tcp.rtt_min);
		wr_pool(w, &sf_pool_tcp32, st->tcp.total_retrans);
		wr_pool(w, &sf_pool_tcp32, st->tcp.lost_out);
		wr_pool(w, &sf_pool_bytes, st->tcp.bytes_received);
		wr_pool(w, &sf_pool_bytes, st->tcp.bytes_acked);
	}
}

size_t sf_encode(const struct sf_input *in, uint8_t *buf, size_t cap)
{
	struct writer w = {buf, buf ? cap : 0, 0, 0};
	unsigned int nfaults = in->nfaults < SF_MAX_FAULTS ? in->nfaults : SF_MAX_FAULTS;
	unsigned int nsteps = in->nsteps < SF_MAX_STEPS ? in->nsteps : SF_MAX_STEPS;

	wr_u8(&w, SF_FORMAT_VERSION);
	wr_u8(&w, in->level == SF_LEVEL_RAW);
	wr_pool(&w, &sf_pool_monitoring, in->monitoring);
	wr_global(&w, &in->node_ip);
	wr_global(&w, &in->pod_gateway);

	for (unsigned int i = 0; i < nfaults; i++) {
		const struct sf_fault *f = &in->faults[i];
		unsigned int h = 0;

		while (h + 1 < SF_FAULT_HELPERS_N && sf_fault_helpers[h] != f->helper)
			h++;
		wr_u8(&w, h << 1 | 1);
		if (f->nth < SF_NTH_POOL) {
			wr_u8(&w, f->nth);
		} else {
			wr_u8(&w, SF_ESC);
			wr_le(&w, f->nth, 2);
		}
	}
	if (nfaults < SF_MAX_FAULTS)
		wr_u8(&w, 0);

	for (unsigned int i = 0; i < nsteps; i++)
		wr_step(&w, &in->steps[i]);
	/* The end of the run needs no byte: missing bytes read as zero. */
	return w.end;
}
