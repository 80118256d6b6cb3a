// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * decode.c: any byte string to a run (input/FORMAT.md). The fuzzers' hot path:
 * one pass over the bytes, no allocation, no formatting. Reads past the end
 * give zero, and a zero byte always selects the plainest choice, so a
 * truncated or all-zero input is a simpler run (theft's rule).
 */
#include <string.h>
#include "input/input_internal.h"

struct reader {
	const uint8_t *p;
	size_t size, pos;
};

static __u8 rd_u8(struct reader *r)
{
	return r->pos < r->size ? r->p[r->pos++] : 0;
}

/* N bytes little-endian; past the end they are zero. */
static __u64 rd_le(struct reader *r, unsigned int n)
{
	__u64 v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (__u64)rd_u8(r) << (8 * i);
	return v;
}

static void rd_bytes(struct reader *r, void *dst, size_t n)
{
	__u8 *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = rd_u8(r);
}

static __u64 rd_pool(struct reader *r, const struct sf_pool *p)
{
	__u8 s = rd_u8(r);

	return s >= SF_ESC ? rd_le(r, p->lit_bytes) : p->v[s % p->n];
}

/* An IPv4 address of an AF_INET lifecycle step: always IPv4-mapped. */
static void rd_addr4(struct reader *r, struct sf_addr *a)
{
	__u8 s = rd_u8(r);

	if (s < SF_ESC) {
		*a = sf_addr4_pool[s % SF_ADDR4_N];
		return;
	}
	*a = sf_addr4_pool[0];
	rd_bytes(r, &a->w[3], 4);
}

static void rd_addr(struct reader *r, struct sf_addr *a)
{
	__u8 s = rd_u8(r);

	if (s < SF_ESC)
		*a = sf_addr_pool[s % SF_ADDR_N];
	else
		rd_bytes(r, a, sizeof(*a));
}

/* A global (node_ip, pod_gateway): 0 is unset, then the pool shifted by one. */
static void rd_global(struct reader *r, struct sf_addr *a)
{
	__u8 s = rd_u8(r);

	if (!s)
		memset(a, 0, sizeof(*a));
	else if (s < SF_ESC)
		*a = sf_addr_pool[(s - 1) % SF_ADDR_N];
	else
		rd_bytes(r, a, sizeof(*a));
}

/* A socket address: the IPv4 pool for an AF_INET lifecycle step, else all. */
static void rd_sock_addr(struct reader *r, const struct sf_kind_def *k, const struct sf_step *st,
			 struct sf_addr *a)
{
	if (!(k->fields & SF_USE_ANY_FAMILY) && st->family == SF_AF_INET)
		rd_addr4(r, a);
	else
		rd_addr(r, a);
}

static void rd_step(struct reader *r, unsigned int kind, struct sf_step *st)
{
	const struct sf_kind_def *k = sf_kind_def(kind);
	unsigned int f = k->fields;

	st->kind = kind;
	if (f & SF_USE_SLOT)
		st->slot = rd_u8(r) % SF_NSLOTS;
	if (f & SF_USE_PEER)
		st->peer = rd_u8(r) % SF_NSLOTS;
	if (f & SF_USE_FLAGS)
		st->flags = rd_u8(r) & k->flags;
	if (f & SF_USE_FAMILY)
		st->family = f & SF_USE_ANY_FAMILY ? rd_pool(r, &sf_pool_family)
						   : (rd_u8(r) & 1 ? SF_AF_INET6 : SF_AF_INET);
	if (f & SF_USE_OP)
		st->op = rd_pool(r, &sf_pool_op);
	if (f & SF_USE_GLOBAL)
		rd_global(r, &st->local);
	else if (f & SF_USE_LOCAL)
		rd_sock_addr(r, k, st, &st->local);
	if (f & SF_USE_LPORT)
		st->lport = rd_pool(r, &sf_pool_port);
	if (f & SF_USE_REMOTE)
		rd_sock_addr(r, k, st, &st->remote);
	if (f & SF_USE_RPORT)
		st->rport = rd_pool(r, &sf_pool_port);
	if (f & SF_USE_ARGS) {
		for (unsigned int i = 0; i < 4; i++)
			st->args[i] = rd_pool(r, &sf_pool_state);
	}
	if (f & SF_USE_STATE)
		st->state = rd_pool(r, &sf_pool_state);
	if (f & SF_USE_VALUE)
		st->value = rd_pool(r, k->value);
	if (f & SF_USE_TCP) {
		st->tcp.srtt_us = rd_pool(r, &sf_pool_tcp32);
		st->tcp.rtt_min = rd_pool(r, &sf_pool_tcp32);
		st->tcp.total_retrans = rd_pool(r, &sf_pool_tcp32);
		st->tcp.lost_out = rd_pool(r, &sf_pool_tcp32);
		st->tcp.bytes_received = rd_pool(r, &sf_pool_bytes);
		st->tcp.bytes_acked = rd_pool(r, &sf_pool_bytes);
	}
}

static void decode(struct reader *r, enum sf_level level, struct sf_input *in)
{
	memset(in, 0, sizeof(*in));
	in->version = SF_FORMAT_VERSION;
	in->level = level;
	in->monitoring = rd_pool(r, &sf_pool_monitoring);
	rd_global(r, &in->node_ip);
	rd_global(r, &in->pod_gateway);

	/* Faults: a byte whose bit 0 says one follows (so random bytes arm one
	 * on average) and whose upper bits pick the helper, then the call number:
	 * small ones are those a run reaches. */
	while (in->nfaults < SF_MAX_FAULTS) {
		__u8 h = rd_u8(r);
		__u8 s;

		if (!(h & 1))
			break;
		in->faults[in->nfaults].helper = sf_fault_helpers[(h >> 1) % SF_FAULT_HELPERS_N];
		s = rd_u8(r);
		in->faults[in->nfaults].nth = s < SF_ESC ? s % SF_NTH_POOL : rd_le(r, 2);
		in->nfaults++;
	}

	/* Steps: a kind byte (0 ends the run), then the fields that kind uses. */
	while (in->nsteps < SF_MAX_STEPS) {
		__u8 k = rd_u8(r);

		if (!k)
			break;
		rd_step(r, sf_kind_of_code(k, level), &in->steps[in->nsteps++]);
	}
}

void sf_decode(const uint8_t *data, size_t size, struct sf_input *in)
{
	struct reader r = {data, data ? size : 0, 2};

	decode(&r, data && size > 1 ? data[1] & 1 : SF_LEVEL_LIFECYCLE, in);
}

void sf_decode_level(const uint8_t *data, size_t size, enum sf_level level, struct sf_input *in)
{
	struct reader r = {data, data ? size : 0, 2};

	decode(&r, level == SF_LEVEL_RAW ? SF_LEVEL_RAW : SF_LEVEL_LIFECYCLE, in);
}
