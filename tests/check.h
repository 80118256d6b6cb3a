/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * check.h: cmocka checks that say what the test was doing and, for bytes,
 * print a hex dump of got against want. Include after <cmocka.h>.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static char where[160]; /* what the running test is doing, printed on failure */

static void at(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(where, sizeof(where), fmt, ap);
	va_end(ap);
}

#define CHECK(cond, fmt, ...)                                                       \
	do {                                                                        \
		if (!(cond))                                                        \
			fail_msg("[%s] " fmt " (%s)", where, ##__VA_ARGS__, #cond); \
	} while (0)

#define CHECK_INT(got, want, what)                                                              \
	do {                                                                                    \
		long long g_ = (long long)(got), w_ = (long long)(want);                        \
		if (g_ != w_)                                                                   \
			fail_msg("[%s] %s: got %lld (0x%llx), want %lld (0x%llx)", where, what, \
				 g_, (unsigned long long)g_, w_, (unsigned long long)w_);       \
	} while (0)

/* Print a hex dump of GOT against WANT, marking differing bytes; true when equal. */
static inline bool bytes_equal(const void *got, const void *want, size_t len, const char *what)
{
	const uint8_t *g = got, *w = want;

	if (!g) {
		print_error("[%s] %s: got NULL, want %zu bytes\n", where, what, len);
		return false;
	}
	if (!memcmp(g, w, len))
		return true;
	print_error("[%s] %s: %zu bytes differ (got / want / ^ marks a difference)\n", where, what,
		    len);
	for (size_t off = 0; off < len; off += 16) {
		char lg[64] = "", lw[64] = "", lm[64] = "";
		size_t n = len - off < 16 ? len - off : 16;

		for (size_t i = 0; i < n; i++) {
			snprintf(lg + 3 * i, 4, "%02x ", g[off + i]);
			snprintf(lw + 3 * i, 4, "%02x ", w[off + i]);
			snprintf(lm + 3 * i, 4, "%s", g[off + i] != w[off + i] ? "^^ " : "   ");
		}
		print_error("  %4zu got  %s\n       want %s\n            %s\n", off, lg, lw, lm);
	}
	return false;
}

#define CHECK_BYTES(got, want, len, what)                                            \
	do {                                                                         \
		if (!bytes_equal(got, want, len, what))                              \
			fail_msg("[%s] %s: bytes differ (dump above)", where, what); \
	} while (0)
