// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * afl_mutator.c: AFL++'s custom mutator interface over the structure-aware
 * mutation of input/mutate.h, the same code libFuzzer's custom mutator runs
 * (fuzz/fuzz_target.c). Built as $(BUILD)/afl/lib/sockfuzz_mutator.so and
 * loaded with AFL_CUSTOM_MUTATOR_LIBRARY (fuzz/run_fuzz.sh); the level of
 * the target comes from SOCKFUZZ_LEVEL (lifecycle or raw). AFL++ keeps its
 * own havoc stage beside it (no AFL_CUSTOM_MUTATOR_ONLY), which is the share
 * of byte mutation.
 */
#include <stdlib.h>
#include <string.h>
#include "input/mutate.h"

struct mutator {
	enum sf_level level;
	unsigned int seed;
	uint8_t buf[SF_MAX_INPUT];
};

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct mutator *m = calloc(1, sizeof(*m));
	const char *level = getenv("SOCKFUZZ_LEVEL");

	(void)afl;
	if (!m)
		return NULL;
	m->level = level && !strcmp(level, "raw") ? SF_LEVEL_RAW : SF_LEVEL_LIFECYCLE;
	m->seed = seed;
	return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
	struct mutator *m = data;
	unsigned int seed = m->seed++;
	size_t max = max_size < sizeof(m->buf) ? max_size : sizeof(m->buf), n;

	if (add_buf && add_buf_size && seed % 4 == 0) {
		n = sf_crossover(buf, buf_size, add_buf, add_buf_size, m->buf, max, seed, m->level);
	} else {
		n = buf_size < max ? buf_size : max;
		memcpy(m->buf, buf, n);
		n = sf_mutate(m->buf, n, max, seed, m->level);
	}
	if (!n) { /* it does not fit: the input as it was, for havoc */
		*out_buf = buf;
		return buf_size;
	}
	*out_buf = m->buf;
	return n;
}

void afl_custom_deinit(void *data)
{
	free(data);
}
