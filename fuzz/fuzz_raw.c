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
