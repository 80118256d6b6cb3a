/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * probe.h: the open addressing oracle/'s tables share (convert.c's sockets by
 * cookie, compare.c's numberings and its index of touched keys): a table of
 * CAP slots, a power of two, kept at most half full, searched from a key's
 * home slot one slot at a time.
 */
#pragma once

#if !defined(SF_MODULE_oracle)
#error "oracle/probe.h is oracle's own"
#endif

#include <stddef.h>
#include <linux/types.h>

/* The home slot of hash H (a cookie, or sf_hash_bytes() of a key), spread
 * by 2^64 / the golden ratio. */
static inline size_t orc_probe_home(__u64 h, size_t cap)
{
	return (size_t)((h * 0x9e3779b97f4a7c15ull) >> 40) & (cap - 1);
}

/* The slots a table of at most MAX (a power of two) uses for N keys: twice
 * N, a power of two, at least 16. The caller clears only those. */
static inline size_t orc_probe_cap(size_t n, size_t max)
{
	size_t cap = 16;

	while (cap < 2 * n && cap < max)
		cap *= 2;
	return cap;
}

/* The slot after I. */
static inline size_t orc_probe_next(size_t i, size_t cap)
{
	return (i + 1) & (cap - 1);
}
