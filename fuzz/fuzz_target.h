/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fuzz_target.h: the body every fuzz target shares. A target (fuzz_<level>.c)
 * is LLVMFuzzerInitialize() -> fuzz_target_init() and LLVMFuzzerTestOneInput()
 * -> fuzz_target_run() at its level; the same two calls serve libFuzzer,
 * AFL++ (its libFuzzer-compatible driver), OSS-Fuzz, the plain replay main
 * (fuzz_main.c) and the benchmark (bench/bench.c).
 *
 * Determinism (SPEC §8.10: same input, same state; run twice and compare the
 * state hashes) is checked only when the environment sets
 * SOCKFUZZ_DETERMINISM=1: the replays of fuzz/run_fuzz.sh and make test do,
 * the fuzzing loop does not.
 *
 * Counting: every run adds its inputs, events and property checks to a
 * process total, printed at exit. When the environment names a file in
 * SOCKFUZZ_STATS the totals are also kept there, in a shared mapping that
 * every process of a campaign (libFuzzer -fork jobs, AFL++ forkserver
 * children) adds to atomically, so the count survives crashes and kills:
 * four native-endian __u64 (struct fuzz_stats) that fuzz/run_fuzz.sh reads.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "input/input.h"

struct fuzz_stats {
	__u64 inputs;	/* inputs run */
	__u64 events;	/* sockops events fired */
	__u64 checks;	/* property checks made */
	__u64 failures; /* inputs that broke a property (at most one per process) */
};

/*
 * Silence the host's prints, initialise it, read SOCKFUZZ_DETERMINISM, open
 * SOCKFUZZ_STATS when set and print the totals to stderr at exit. Returns 0, or -errno when the host
 * cannot start (the reason is printed); the stats file is optional and a
 * failure to open it is only reported. Calling it again is a no-op.
 */
int fuzz_target_init(void);

/*
 * Decode DATA (SIZE bytes) at LEVEL and run it with every property checked
 * (and determinism, when asked for).
 * Returns when all held. When one broke, prints the property, step, event,
 * the diff and the input's text form to stderr and calls abort(), so that the
 * engine keeps the input. A runtime that cannot start aborts too.
 */
void fuzz_target_run(const uint8_t *data, size_t size, enum sf_level level);

/* Name the input about to run (a file name), printed with a failure; NULL:
 * none. The string must live until the next call. */
void fuzz_target_name(const char *name);

/*
 * libFuzzer's custom mutator and cross-over for a target of LEVEL: the
 * structure-aware mutation of input/mutate.h for three inputs in four,
 * libFuzzer's own byte mutation for the rest and whenever the mutated run
 * does not fit MAX (a share of byte mutation keeps "anything" reachable).
 * SOCKFUZZ_MUTATOR=bytes in the environment leaves every input to
 * libFuzzer. Both return the new size.
 */
size_t fuzz_target_mutate(uint8_t *data, size_t size, size_t max, unsigned int seed,
			  enum sf_level level);
size_t fuzz_target_crossover(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t *out,
			     size_t max, unsigned int seed, enum sf_level level);

/* The totals of this process since fuzz_target_init(). */
const struct fuzz_stats *fuzz_target_stats(void);

/*
 * For a target whose check is not a run of the program (fuzz_text.c: the text
 * form's round trips). fuzz_target_count() adds one input and CHECKS checks
 * to the totals; fuzz_target_fail() prints "sockfuzz: property PROP failed
 * (FORM form, SIZE bytes, NAME)" and then WHY to stderr, and calls abort().
 */
void fuzz_target_count(unsigned int checks);
__attribute__((noreturn)) void fuzz_target_fail(const char *prop, const char *form, size_t size,
						const char *why);
