// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mutate.c: structure-aware mutation (mutate.h). Every operator draws its
 * values from the registry's rows and pools (steps.h, pool.c), so a kind
 * added to the registry is mutated with no change here; after the
 * operators, normalise() brings the run back in range for the encoder.
 */
#include <string.h>
#include "input/input_internal.h"
#include "input/mutate.h"
#include "lib/rng.h"

static __u64 from_pool(struct sf_rng *r, const struct sf_pool *p)
{
	return p->v[sf_rng_below(r, p->n)];
}

/* A kind LEVEL holds, uniformly. */
static enum sf_kind random_kind(struct sf_rng *r, enum sf_level level)
{
	enum sf_kind k;

	do
		k = sf_rng_below(r, SF_KIND__COUNT);
	while (!sf_level_holds(level, k));
	return k;
}

static bool lifecycle_family(const struct sf_kind_def *k)
{
	return (k->fields & SF_USE_FAMILY) && !(k->fields & SF_USE_ANY_FAMILY);
}

static struct sf_addr random_addr(struct sf_rng *r, bool v4)
{
	return v4 ? sf_addr4_pool[sf_rng_below(r, SF_ADDR4_N)]
		  : sf_addr_pool[sf_rng_below(r, SF_ADDR_N)];
}

/* Set field BIT of ST (a bit of its row's fields) from its pool. */
static void set_field(struct sf_rng *r, struct sf_step *st, unsigned int bit)
{
	const struct sf_kind_def *k = sf_kind_def(st->kind);
	bool v4 = lifecycle_family(k) && st->family == SF_AF_INET;

	switch (bit) {
	case SF_USE_SLOT:
		st->slot = sf_rng_below(r, SF_NSLOTS);
		break;
	case SF_USE_PEER:
		st->peer = sf_rng_below(r, SF_NSLOTS);
		break;
	case SF_USE_FLAGS:
		st->flags = (__u8)sf_rng_next(r) & k->flags;
		break;
	case SF_USE_FAMILY:
		st->family = k->fields & SF_USE_ANY_FAMILY
				     ? (__u32)from_pool(r, &sf_pool_family)
				     : (sf_rng_below(r, 2) ? SF_AF_INET6 : SF_AF_INET);
		break;
	case SF_USE_OP:
		st->op = from_pool(r, &sf_pool_op);
		break;
	case SF_USE_LOCAL:
		if (k->fields & SF_USE_GLOBAL)
			st->local =
				sf_rng_below(r, 4) ? random_addr(r, false) : (struct sf_addr){{0}};
		else
			st->local = random_addr(r, v4);
		break;
	case SF_USE_REMOTE:
		st->remote = random_addr(r, v4);
		break;
	case SF_USE_LPORT:
		st->lport = from_pool(r, &sf_pool_port);
		break;
	case SF_USE_RPORT:
		st->rport = from_pool(r, &sf_pool_port);
		break;
	case SF_USE_ARGS:
		st->args[sf_rng_below(r, 4)] = from_pool(r, &sf_pool_state);
		break;
	case SF_USE_STATE:
		st->state = from_pool(r, &sf_pool_state);
		break;
	case SF_USE_VALUE:
		if (k->value)
			st->value = from_pool(r, k->value);
		break;
	case SF_USE_TCP:
		st->tcp.srtt_us = from_pool(r, &sf_pool_tcp32);
		st->tcp.bytes_acked = from_pool(r, &sf_pool_bytes);
		break;
	}
}

/* A random bit of MASK's set bits (among the fields that hold a value). */
static unsigned int random_field(struct sf_rng *r, unsigned int mask)
{
	unsigned int bits[16], n = 0;

	mask &= ~(SF_USE_GLOBAL | SF_USE_ANY_FAMILY);
	for (unsigned int b = 0; b < 16; b++)
		if (mask & (1u << b))
			bits[n++] = 1u << b;
	return n ? bits[sf_rng_below(r, n)] : 0;
}

static void random_step(struct sf_rng *r, enum sf_level level, struct sf_step *st)
{
	const struct sf_kind_def *k;

	memset(st, 0, sizeof(*st));
	st->kind = random_kind(r, level);
	k = sf_kind_def(st->kind);
	/* The family first: the addresses follow it. */
	if (k->fields & SF_USE_FAMILY)
		set_field(r, st, SF_USE_FAMILY);
	for (unsigned int b = 0; b < 16; b++)
		if ((k->fields & (1u << b)) && (1u << b) != SF_USE_FAMILY)
			set_field(r, st, 1u << b);
}

/* ---- near misses --------------------------------------------------------- */

/* The addresses a near miss aims at: the control addresses, the globals,
 * and what the run enrols. Returns how many it wrote to OUT (at most MAX). */
static unsigned int targets(const struct sf_input *in, struct sf_addr *out, unsigned int max)
{
	unsigned int n = 0;

	out[n++] = lo_control4;
	out[n++] = lo_control6;
	if (!lo_addr_is_zero(&in->node_ip))
		out[n++] = in->node_ip;
	if (!lo_addr_is_zero(&in->pod_gateway))
		out[n++] = in->pod_gateway;
	for (unsigned int i = 0; i < in->nsteps && n < max; i++)
		if (in->steps[i].kind == SF_ENROL || in->steps[i].kind == SF_NODE_IP ||
		    in->steps[i].kind == SF_POD_GATEWAY)
			out[n++] = in->steps[i].local;
	return n;
}

/* A one byte or one word away from T: for an IPv4-mapped T mostly in the
 * IPv4 part, sometimes its word-3 twin without the mapping. */
static struct sf_addr near_miss(struct sf_rng *r, struct sf_addr t)
{
	__u8 *b = (__u8 *)&t;
	bool v4 = lo_addr_is_v4mapped(&t);

	switch (sf_rng_below(r, 4)) {
	case 0: /* one byte, next door */
	case 1: {
		unsigned int i = v4 ? 12 + sf_rng_below(r, 4) : sf_rng_below(r, 16);

		b[i] += sf_rng_below(r, 2) ? 1 : 0xff;
		break;
	}
	case 2: /* one byte, anything else */
		b[v4 ? 12 + sf_rng_below(r, 4) : sf_rng_below(r, 16)] ^=
			(__u8)(1 + sf_rng_below(r, 255));
		break;
	default: /* one word */
		if (v4 && sf_rng_below(r, 2))
			t.w[2] = 0; /* ::a.b.c.d, the low word of an IPv6 address */
		else
			t.w[sf_rng_below(r, 4)] ^= (__be32)sf_rng_next(r) | 1;
		break;
	}
	return t;
}

/* A step's address fields, for the operators that pick one. */
static struct sf_addr *step_addr(struct sf_rng *r, struct sf_step *st)
{
	const struct sf_kind_def *k = sf_kind_def(st->kind);
	bool local = k->fields & SF_USE_LOCAL, remote = k->fields & SF_USE_REMOTE;

	if (local && remote)
		return sf_rng_below(r, 2) ? &st->local : &st->remote;
	return local ? &st->local : remote ? &st->remote : NULL;
}

static struct sf_step *random_step_of(struct sf_rng *r, struct sf_input *in)
{
	return in->nsteps ? &in->steps[sf_rng_below(r, in->nsteps)] : NULL;
}

static void op_near_miss(struct sf_rng *r, struct sf_input *in)
{
	struct sf_addr t[8], *a;
	struct sf_step *st = random_step_of(r, in);
	unsigned int n = targets(in, t, 8);

	if (!st || sf_rng_below(r, 4) == 0) {
		a = sf_rng_below(r, 2) ? &in->node_ip : &in->pod_gateway;
	} else {
		a = step_addr(r, st);
		if (!a) {
			/* A port near the control ports, on a step that has one. */
			if (sf_kind_def(st->kind)->fields & SF_USE_RPORT)
				st->rport = 928 + sf_rng_below(r, 4);
			return;
		}
		if ((sf_kind_def(st->kind)->fields & SF_USE_RPORT) && sf_rng_below(r, 3) == 0) {
			st->rport = 928 + sf_rng_below(r, 4);
			return;
		}
	}
	*a = near_miss(r, t[sf_rng_below(r, n)]);
}

/* Copy an address between a global and a step's endpoint, either way. */
static void op_copy_global(struct sf_rng *r, struct sf_input *in)
{
	struct sf_step *st = random_step_of(r, in);
	struct sf_addr *g = sf_rng_below(r, 2) ? &in->node_ip : &in->pod_gateway, *a;

	if (!st || !(a = step_addr(r, st)))
		return;
	if (sf_rng_below(r, 2))
		*g = *a;
	else if (!lo_addr_is_zero(g))
		*a = *g;
}

/* Switch a step between AF_INET and IPv4-mapped AF_INET6, or an address
 * between ::ffff:a.b.c.d and the native IPv6 pool. */
static void op_switch_form(struct sf_rng *r, struct sf_input *in)
{
	struct sf_step *st = random_step_of(r, in);
	struct sf_addr *a;

	if (!st)
		return;
	if (lifecycle_family(sf_kind_def(st->kind)) && sf_rng_below(r, 2)) {
		st->family = st->family == SF_AF_INET ? SF_AF_INET6 : SF_AF_INET;
		return;
	}
	a = step_addr(r, st);
	if (!a)
		return;
	if (lo_addr_is_v4mapped(a))
		*a = sf_addr_pool[sf_rng_below(r, SF_ADDR_N / 2)]; /* the native half */
	else
		*a = lo_addr4(a->w[3]);
}

/* ---- structure ----------------------------------------------------------- */

static void op_insert(struct sf_rng *r, struct sf_input *in)
{
	unsigned int at;

	if (in->nsteps == SF_MAX_STEPS)
		return;
	at = sf_rng_below(r, in->nsteps + 1);
	memmove(&in->steps[at + 1], &in->steps[at], (in->nsteps - at) * sizeof(in->steps[0]));
	random_step(r, in->level, &in->steps[at]);
	in->nsteps++;
}

static void op_delete(struct sf_rng *r, struct sf_input *in)
{
	unsigned int at;

	if (!in->nsteps)
		return;
	at = sf_rng_below(r, in->nsteps);
	memmove(&in->steps[at], &in->steps[at + 1], (in->nsteps - at - 1) * sizeof(in->steps[0]));
	in->nsteps--;
}

static void op_duplicate(struct sf_rng *r, struct sf_input *in)
{
	unsigned int from, at;

	if (!in->nsteps || in->nsteps == SF_MAX_STEPS)
		return;
	from = sf_rng_below(r, in->nsteps);
	at = sf_rng_below(r, in->nsteps + 1);
	memmove(&in->steps[at + 1], &in->steps[at], (in->nsteps - at) * sizeof(in->steps[0]));
	in->steps[at] = in->steps[from < at ? from : from + 1];
	in->nsteps++;
}

static void op_swap(struct sf_rng *r, struct sf_input *in)
{
	struct sf_step t;
	unsigned int i, j;

	if (in->nsteps < 2)
		return;
	i = sf_rng_below(r, in->nsteps);
	j = sf_rng_below(r, in->nsteps);
	t = in->steps[i];
	in->steps[i] = in->steps[j];
	in->steps[j] = t;
}

static void op_field(struct sf_rng *r, struct sf_input *in)
{
	struct sf_step *st = random_step_of(r, in);

	if (!st || sf_rng_below(r, 8) == 0) {
		/* The run's own fields: a global, monitoring, a fault. */
		switch (sf_rng_below(r, 3)) {
		case 0:
			in->monitoring = from_pool(r, &sf_pool_monitoring);
			break;
		case 1:
			*(sf_rng_below(r, 2) ? &in->node_ip : &in->pod_gateway) =
				sf_rng_below(r, 3) ? random_addr(r, false) : (struct sf_addr){{0}};
			break;
		default:
			if (in->nfaults < SF_MAX_FAULTS && sf_rng_below(r, 2)) {
				in->faults[in->nfaults].helper =
					sf_fault_helpers[sf_rng_below(r, SF_FAULT_HELPERS_N)];
				in->faults[in->nfaults++].nth = sf_rng_below(r, SF_NTH_POOL);
			} else if (in->nfaults) {
				in->nfaults--;
			}
			break;
		}
		return;
	}
	set_field(r, st, random_field(r, sf_kind_def(st->kind)->fields));
}

/* ---- range --------------------------------------------------------------- */

static void normalise_step(struct sf_step *st)
{
	const struct sf_kind_def *k = sf_kind_def(st->kind);

	st->slot %= SF_NSLOTS;
	st->peer %= SF_NSLOTS;
	st->flags &= k->flags;
	if (lifecycle_family(k)) {
		/* AF_INET holds IPv4-mapped addresses only; anything else is a
		 * dual-stack socket's. */
		bool v4 = lo_addr_is_v4mapped(&st->local) &&
			  (!(k->fields & SF_USE_REMOTE) || lo_addr_is_v4mapped(&st->remote));

		if (st->family != SF_AF_INET && st->family != SF_AF_INET6)
			st->family = SF_AF_INET6;
		if (st->family == SF_AF_INET && !v4)
			st->family = SF_AF_INET6;
	}
	if ((k->fields & SF_USE_VALUE) && k->value && !sf_pool_fits(k->value, st->value))
		st->value &= (1ull << (8 * k->value->lit_bytes)) - 1;
}

static void normalise(struct sf_input *in)
{
	for (unsigned int i = 0; i < in->nsteps; i++)
		normalise_step(&in->steps[i]);
}

void sf_mutate_run(struct sf_input *in, __u64 seed)
{
	static void (*const ops[])(struct sf_rng *, struct sf_input *) = {
		op_insert, op_delete,	 op_duplicate, op_swap,	       op_field,
		op_field,  op_near_miss, op_near_miss, op_copy_global, op_switch_form,
	};
	struct sf_rng r = {seed};
	unsigned int n = 1 + sf_rng_below(&r, 4);

	for (unsigned int i = 0; i < n; i++)
		ops[sf_rng_below(&r, sizeof(ops) / sizeof(ops[0]))](&r, in);
	normalise(in);
}

/* One run at a time: the fuzzers' callbacks are not reentrant. */
static struct sf_input scratch, other;

static size_t encode_into(const struct sf_input *in, uint8_t *out, size_t max)
{
	static uint8_t buf[SF_MAX_INPUT * 8];
	size_t n = sf_encode(in, buf, sizeof(buf));

	if (n > sizeof(buf) || n > max)
		return 0;
	memcpy(out, buf, n);
	return n;
}

size_t sf_mutate(uint8_t *data, size_t size, size_t max, unsigned int seed, enum sf_level level)
{
	sf_decode_level(data, size, level, &scratch);
	sf_mutate_run(&scratch, seed);
	return encode_into(&scratch, data, max);
}

size_t sf_crossover(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t *out,
		    size_t max, unsigned int seed, enum sf_level level)
{
	struct sf_rng r = {seed};
	unsigned int keep, from, take;

	sf_decode_level(a, na, level, &scratch);
	sf_decode_level(b, nb, level, &other);
	keep = sf_rng_below(&r, scratch.nsteps + 1);
	from = sf_rng_below(&r, other.nsteps + 1);
	take = other.nsteps - from;
	if (keep + take > SF_MAX_STEPS)
		take = SF_MAX_STEPS - keep;
	memcpy(&scratch.steps[keep], &other.steps[from], take * sizeof(scratch.steps[0]));
	scratch.nsteps = keep + take;
	sf_mutate_run(&scratch, sf_rng_next(&r));
	return encode_into(&scratch, out, max);
}
