/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * input_internal.h: what the binary decoder, the encoder and the text form
 * share (input/FORMAT.md): the value pools, which fields each step kind uses,
 * and the names the text form gives to numbers. Not an interface: only
 * input/{pool,decode,encode,names,text_parse,text_print}.c include it.
 */
#pragma once

#if !defined(SF_MODULE_input)
#error "input/input_internal.h is input's own: include input/input.h or input/steps.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
#include "input/steps.h"

/* A selector byte at or above SF_ESC is followed by a literal ("sometimes
 * anything"); below it, it picks pool[byte % pool size]. */
#define SF_ESC 0xf0

/* A fault's call number: selector % SF_NTH_POOL, or the escape and 2 bytes. */
#define SF_NTH_POOL 64

extern const struct sf_pool sf_pool_monitoring, sf_pool_port, sf_pool_family, sf_pool_op,
	sf_pool_state, sf_pool_waypoint, sf_pool_verdict, sf_pool_bytes, sf_pool_clock,
	sf_pool_tcp32, sf_pool_manage, sf_pool_free, sf_pool_log_level;

/* Addresses: IPv4 ones (stored IPv4-mapped; literal: 4 bytes) for AF_INET
 * lifecycle steps, and all of them (literal: 16 bytes) for the rest. */
#define SF_ADDR4_N 9
#define SF_ADDR_N  18
extern const struct sf_addr sf_addr4_pool[SF_ADDR4_N];
extern const struct sf_addr sf_addr_pool[SF_ADDR_N];

/* The helpers a fault may name: those host_fault__arm() accepts. */
#define SF_FAULT_HELPERS_N 7
extern const __u8 sf_fault_helpers[SF_FAULT_HELPERS_N];

/* Whether FAULT helper H is one a fault may name. */
bool sf_fault_helper_ok(unsigned int h);

/* The TCP counter a SF_TF_TCP field F names in T (its offset and width). */
static inline __u64 sf_tcp_get(const struct sf_tcp *t, const struct sf_text_field *f)
{
	const __u8 *p = (const __u8 *)t + f->arg;
	__u32 v32;
	__u64 v64;

	if (f->size == sizeof(v32)) {
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	memcpy(&v64, p, sizeof(v64));
	return v64;
}

static inline void sf_tcp_set(struct sf_tcp *t, const struct sf_text_field *f, __u64 v)
{
	__u8 *p = (__u8 *)t + f->arg;
	__u32 v32 = (__u32)v;

	if (f->size == sizeof(v32))
		memcpy(p, &v32, sizeof(v32));
	else
		memcpy(p, &v, sizeof(v));
}

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
