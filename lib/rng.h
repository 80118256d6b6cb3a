/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rng.h: the project's one pseudo-random sequence, splitmix64: everything
 * "random" (mutations, random scenarios, equivalence trials) follows from a
 * seed, the same in every build, so every run can be replayed. A leaf,
 * header only.
 */
#pragma once

#include <stdbool.h>
#include <linux/types.h>

struct sf_rng {
	__u64 s;
};

static inline __u64 sf_rng_next(struct sf_rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform enough below N (0 for N 0). */
static inline unsigned int sf_rng_below(struct sf_rng *r, unsigned int n)
{
	return n ? (unsigned int)(sf_rng_next(r) % n) : 0;
}
