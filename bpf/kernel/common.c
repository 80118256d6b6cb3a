// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * common.c: the print hook and the clock the waits use.
 */
#include <stdio.h>
#include <time.h>
#include "kernel_internal.h"

static int print_stderr(const char *fmt, va_list args)
{
	return vfprintf(stderr, fmt, args);
}

static kern_print_fn kern_print = print_stderr;

kern_print_fn kern_set_print(kern_print_fn fn)
{
	kern_print_fn old = kern_print;

	kern_print = fn;
	return old;
}

void kern_warn(const char *fmt, ...)
{
	char prefixed[256];
	va_list args;

	if (!kern_print)
		return;
	/* One call of the hook per message, so a hook may add a newline or JSON. */
	snprintf(prefixed, sizeof(prefixed), "kern: %s", fmt);
	va_start(args, fmt);
	kern_print(prefixed, args);
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
