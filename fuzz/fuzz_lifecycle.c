// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fuzz_lifecycle: runs of lifecycle actions only, the sequences the kernel produces. */
#include "fuzz/fuzz_target.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return fuzz_target_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_target_run(data, size, SF_LEVEL_LIFECYCLE);
	return 0;
}
