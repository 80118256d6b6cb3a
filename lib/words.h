/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * words.h: copies, compares and hashes a 32-bit word at a time, for the
 * per-callback paths of the host runtime and the oracle. Under ASan a
 * memcpy() or memcmp() is an interceptor call with two region checks; a
 * word's load is checked inline.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

/* A hash of the LEN bytes at KEY, a word at a time (keys are 16 to 36
 * bytes: the host's hash maps and the oracle's index of touched keys). */
static inline __u32 sf_hash_bytes(const void *key, size_t len)
{
	const __u8 *p = key;
	__u64 h = 0x9e3779b97f4a7c15ull ^ len;
	__u32 w;

	for (; len >= 4; len -= 4, p += 4) {
		memcpy(&w, p, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	for (; len; len--, p++)
		h = (h ^ *p) * 0xc4ceb9fe1a85ec53ull;
	return (__u32)(h ^ (h >> 32));
}

/* Four words: an address's or a callback's args. */
static inline void sf_copy4(__u32 dst[4], const __u32 src[4])
{
	for (int i = 0; i < 4; i++)
		dst[i] = src[i];
}

/* Whether the LEN bytes at A and B are the same: four at a time (a
 * memcpy() of four bytes is a load, not a call), then the rest. */
static inline bool sf_same_bytes(const void *a, const void *b, size_t len)
{
	const __u8 *p = a, *q = b;
	__u32 x, y;

	for (; len >= 4; len -= 4, p += 4, q += 4) {
		memcpy(&x, p, 4);
		memcpy(&y, q, 4);
		if (x != y)
			return false;
	}
	for (; len; len--, p++, q++)
		if (*p != *q)
			return false;
	return true;
}
