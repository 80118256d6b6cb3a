/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * input_build.h: building a run (struct sf_input, input/input.h) step by step
 * in C, for tests/test_exec.c and tests/test_props.c. Each helper appends one
 * step to the run being built; addresses are written A4(127, 0, 0, 5) or
 * A6(0xfd00005f, 5) (fd00:5f::5), as the decoder's pools hold them.
 */
#pragma once

#include <string.h>
#include <linux/bpf.h>
#include "input/input.h"

#define INET  2
#define INET6 10

/* a.b.c.d stored IPv4-mapped; W0::W3 from its first and last words. */
#define A4(a, b, c, d) ((struct sf_addr)LO_ADDR4(a, b, c, d))
#define A6(w0, w3)     ((struct sf_addr)LO_ADDR6(w0, w3))
#define ANY6	       ((struct sf_addr){{0}})

static struct sf_input *build_in;

/* Start building into IN: version 1, lifecycle, monitoring on, nothing else. */
static inline void build_begin(struct sf_input *in)
{
	memset(in, 0, sizeof(*in));
	in->version = SF_FORMAT_VERSION;
	in->level = SF_LEVEL_LIFECYCLE;
	in->monitoring = 1;
	build_in = in;
}

static inline struct sf_step *build_step(enum sf_kind kind)
{
	struct sf_step *st = &build_in->steps[build_in->nsteps++];

	memset(st, 0, sizeof(*st));
	st->kind = kind;
	if (kind == SF_RAW)
		build_in->level = SF_LEVEL_RAW;
	return st;
}

static inline void build_fault(__u8 helper, __u16 nth)
{
	build_in->faults[build_in->nfaults].helper = helper;
	build_in->faults[build_in->nfaults++].nth = nth;
}

static inline void build_enrol(__u32 family, struct sf_addr pod)
{
	struct sf_step *st = build_step(SF_ENROL);

	st->family = family;
	st->local = pod;
}

static inline void build_unenrol(__u32 family, struct sf_addr pod)
{
	struct sf_step *st = build_step(SF_UNENROL);

	st->family = family;
	st->local = pod;
}

static inline void build_listen(__u8 slot, __u32 family, struct sf_addr on, __u16 port)
{
	struct sf_step *st = build_step(SF_LISTEN);

	st->slot = slot;
	st->family = family;
	st->local = on;
	st->lport = port;
}

static inline void build_connect(__u8 slot, __u32 family, struct sf_addr from, __u16 fport,
				 struct sf_addr to, __u16 tport, __u8 flags)
{
	struct sf_step *st = build_step(SF_CONNECT);

	st->slot = slot;
	st->family = family;
	st->local = from;
	st->lport = fport;
	st->remote = to;
	st->rport = tport;
	st->flags = flags;
}

static inline void build_accept(__u8 slot, __u8 listener)
{
	struct sf_step *st = build_step(SF_ACCEPT);

	st->slot = slot;
	st->peer = listener;
}

/* SEND, CLOSE, RESET, WAYPOINT, XDP_VERDICT: a slot and maybe a value. */
static inline void build_slot(enum sf_kind kind, __u8 slot, __u64 value)
{
	struct sf_step *st = build_step(kind);

	st->slot = slot;
	st->value = value;
}

/* MONITORING, AUTH_ANSWER, CLOCK: a value. */
static inline void build_value(enum sf_kind kind, __u64 value)
{
	build_step(kind)->value = value;
}

/* NODE_IP, POD_GATEWAY: an address. */
static inline void build_global(enum sf_kind kind, struct sf_addr a)
{
	build_step(kind)->local = a;
}

static inline void build_raw(__u8 slot, __u32 op, __u32 family, struct sf_addr local, __u16 lport,
			     struct sf_addr remote, __u16 rport, __u32 state, __u8 flags,
			     __u32 arg0, __u32 arg1)
{
	struct sf_step *st = build_step(SF_RAW);

	st->slot = slot;
	st->op = op;
	st->family = family;
	st->local = local;
	st->lport = lport;
	st->remote = remote;
	st->rport = rport;
	st->state = state;
	st->flags = flags;
	st->args[0] = arg0;
	st->args[1] = arg1;
}
