// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fuzz_raw: lifecycle actions mixed with raw sockops events (any op, family, args). */
#include "fuzz/fuzz_target.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return fuzz_target_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_target_run(data, size, SF_LEVEL_RAW);
	return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed)
{
	return fuzz_target_mutate(data, size, max, seed, SF_LEVEL_RAW);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
				 uint8_t *out, size_t max, unsigned int seed)
{
	return fuzz_target_crossover(a, na, b, nb, out, max, seed, SF_LEVEL_RAW);
}
