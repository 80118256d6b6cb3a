/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * mutate.h: structure-aware mutation of runs, for libFuzzer's custom
 * mutator and cross-over and AFL++'s custom mutator (fuzz/). A mutation
 * decodes the bytes as a run, changes the run as a run, and encodes it
 * again, so every output is a canonical encoding of an in-range run:
 *
 * - insert, delete, duplicate or swap steps; splice two runs (cross-over);
 * - set one field of a step (or a global, or a fault) from its pool;
 * - a near miss: an address one byte or one 32-bit word away from a control
 *   address, a global or an address the run enrols, or a port next to the
 *   control ports 929 and 930;
 * - copy an address between a global and a step's endpoint;
 * - switch an address between its IPv4, IPv4-mapped and IPv6 forms.
 *
 * Deterministic: the same bytes, seed and level give the same output. No
 * allocation; one run at a time (static scratch), like the executor.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "input/input.h"

/*
 * Mutate the run DATA (SIZE bytes, at most MAX) of LEVEL in place with SEED.
 * Returns the new size, or 0 when the mutated run does not encode in MAX
 * bytes (DATA is then unchanged and the caller mutates bytes instead).
 */
size_t sf_mutate(uint8_t *data, size_t size, size_t max, unsigned int seed, enum sf_level level);

/*
 * Cross A and B into OUT (at most MAX bytes): a prefix of A's steps and a
 * suffix of B's, A's globals and faults, then one mutation. Returns the size,
 * or 0 when it does not fit.
 */
size_t sf_crossover(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t *out,
		    size_t max, unsigned int seed, enum sf_level level);

/* The run-level step of sf_mutate(): one to four operators on IN, keeping
 * it in range for its level. For tests and for drivers of their own. */
void sf_mutate_run(struct sf_input *in, __u64 seed);
