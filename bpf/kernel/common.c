// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * common.c: warnings and the clock the waits use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "kernel_internal.h"

void kern_warn(const char *fmt, ...)
{
	char prefixed[256];
	va_list args;

	/* One call of vfprintf() per message: a line is not split between writers. */
	snprintf(prefixed, sizeof(prefixed), "kern: %s", fmt);
	va_start(args, fmt);
	vfprintf(stderr, prefixed, args);
	va_end(args);
}

__u64 kern_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

int kern_ms_left(__u64 deadline)
{
	__u64 now = kern_now_ms();

	if (now >= deadline)
		return 0;
	return deadline - now > 0x7fffffff ? 0x7fffffff : (int)(deadline - now);
}
