/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * input_internal.h: what the binary decoder, the encoder and the text form
 * share (input/FORMAT.md): the value pools, which fields each step kind uses,
 * and the names the text form gives to numbers. Not an interface: only
 * input/{pool,decode,encode,names,text_parse,text_print}.c include it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "input/input.h"

/* A selector byte at or above SF_ESC is followed by a literal ("sometimes
 * anything"); below it, it picks pool[byte % pool size]. */
#define SF_ESC 0xf0

/* A fault's call number: selector % SF_NTH_POOL, or the escape and 2 bytes. */
#define SF_NTH_POOL 64

/* Fields of struct sf_step, as bits of sf_kind_fields[]. In the binary form a
 * step's fields follow its kind byte in this order, skipping unused ones. */
enum sf_field {
	SF_USE_SLOT = 1u << 0,
	SF_USE_PEER = 1u << 1,
	SF_USE_FLAGS = 1u << 2,
	SF_USE_FAMILY = 1u << 3, /* lifecycle: inet/inet6; raw: any */
	SF_USE_OP = 1u << 4,
	SF_USE_LOCAL = 1u << 5,
	SF_USE_LPORT = 1u << 6,
	SF_USE_REMOTE = 1u << 7,
	SF_USE_RPORT = 1u << 8,
	SF_USE_ARGS = 1u << 9,
	SF_USE_STATE = 1u << 10,
	SF_USE_VALUE = 1u << 11,
	SF_USE_GLOBAL = 1u << 12, /* LOCAL is a global address: zero means unset */
	SF_USE_TCP = 1u << 13,	  /* the TCP counters */
};

/* A pool of integers with the width of its literal (1, 2, 4 or 8 bytes). */
struct sf_pool {
	const __u64 *v;
	unsigned int n;
	unsigned int lit_bytes;
};

/* Per kind: the fields it uses (enum sf_field), the flags it may carry, and
 * the pool its VALUE comes from (NULL when it has none). */
struct sf_kind_info {
	const char *name;
	unsigned int fields;
	__u8 flags;
	const struct sf_pool *value;
};

extern const struct sf_kind_info sf_kinds[SF_KIND__COUNT];

extern const struct sf_pool sf_pool_monitoring, sf_pool_port, sf_pool_family, sf_pool_op,
	sf_pool_state, sf_pool_waypoint, sf_pool_verdict, sf_pool_bytes, sf_pool_clock,
	sf_pool_tcp32;

/* Addresses: IPv4 ones (stored IPv4-mapped; literal: 4 bytes) for AF_INET
 * lifecycle steps, and all of them (literal: 16 bytes) for the rest. */
#define SF_ADDR4_N 9
#define SF_ADDR_N  18
extern const struct sf_addr sf_addr4_pool[SF_ADDR4_N];
extern const struct sf_addr sf_addr_pool[SF_ADDR_N];

/* The helpers a fault may name: those host_fault__arm() accepts. */
#define SF_FAULT_HELPERS_N 6
extern const __u8 sf_fault_helpers[SF_FAULT_HELPERS_N];

/* Lifecycle families: selector bit 0 picks one. */
#define SF_AF_INET  2
#define SF_AF_INET6 10

/* Step kinds one level may hold. */
static inline unsigned int sf_level_kinds(enum sf_level level)
{
	return level == SF_LEVEL_RAW ? SF_KIND__COUNT : SF_LIFECYCLE__COUNT;
}

/* IPv4-mapped: bytes 0..9 zero, 10..11 0xff (endian-neutral, SPEC §4). */
bool sf_addr_is_v4mapped(const struct sf_addr *a);
bool sf_addr_is_zero(const struct sf_addr *a);

/* Whether FAULT helper H is one a fault may name. */
bool sf_fault_helper_ok(unsigned int h);

/* Whether V fits pool P's literal. */
static inline bool sf_pool_fits(const struct sf_pool *p, __u64 v)
{
	return p->lit_bytes >= 8 || v < (1ull << (8 * p->lit_bytes));
}

/* ------------------------------------------------------------------------ */
/* Names the text form uses (names.c). Each returns NULL for a number without
 * a name; each lookup returns false for an unknown name.                    */

/* sf_op_name() and sf_state_name() are public: input/input.h. */
bool sf_op_lookup(const char *name, __u32 *op);
bool sf_state_lookup(const char *name, __u32 *state);
const char *sf_family_name(__u32 family);
bool sf_family_lookup(const char *name, __u32 *family);
const char *sf_verdict_name(__u64 v);
bool sf_verdict_lookup(const char *name, __u64 *v);
bool sf_kind_lookup(const char *name, enum sf_kind *kind);
const char *sf_level_name(enum sf_level level);
