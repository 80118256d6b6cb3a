// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * loopback.c: the address rules of lo in one network namespace (loopback.h).
 */
#include <string.h>
#include "net/loopback.h"

const __u8 lo_v4mapped_prefix[12] = {[10] = 0xff, [11] = 0xff};
const struct sf_addr lo_control4 = LO_ADDR4(0, 0, 0, 2);
const struct sf_addr lo_control6 = LO_ADDR6(0, 2);
const struct sf_addr lo_loopback4 = LO_ADDR4(127, 0, 0, 1);
const struct sf_addr lo_loopback6 = LO_ADDR6(0, 1);
const struct sf_addr lo_any6 = {{0}};

bool lo_addr_is_any(const struct sf_addr *a)
{
	return lo_addr_eq(a, &lo_any6) || (lo_addr_is_v4mapped(a) && !a->w[3]);
}

bool lo_addr_is_v6_special(const struct sf_addr *a)
{
	const __u8 *b = (const __u8 *)a;

	return !lo_addr_is_v4mapped(a) && (b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80));
}

bool lo_addr_is_v4_mbcast(const struct sf_addr *a)
{
	const __u8 *b = (const __u8 *)a;

	return lo_addr_is_v4mapped(a) &&
	       (b[12] >> 4 == 14 || a->w[3] == 0xffffffffu ||
		(b[12] == 127 && b[13] == 255 && b[14] == 255 && b[15] == 255));
}

bool lo_addr_bindable(const struct sf_addr *a)
{
	return lo_addr_is_v4mapped(a) ||
	       (!lo_addr_is_v6_special(a) && !lo_addr_eq(a, &lo_control6));
}

bool lo_addr_connectable(const struct sf_addr *a)
{
	return lo_addr_is_v4mapped(a) ? !lo_addr_is_v4_mbcast(a) : !lo_addr_is_v6_special(a);
}

bool lo_addr_needs_assign4(const struct sf_addr *a)
{
	const __u8 *b = (const __u8 *)a;

	return !lo_addr_is_any(a) && !lo_addr_eq(a, &lo_control4) && b[12] != 127 &&
	       !lo_addr_is_v4_mbcast(a);
}

bool lo_addr_needs_assign6(const struct sf_addr *a)
{
	return !lo_addr_is_zero(a) && !lo_addr_eq(a, &lo_loopback6) &&
	       !lo_addr_eq(a, &lo_control6) && !lo_addr_is_v6_special(a);
}

struct sf_addr lo_pick_source(const struct sf_addr *remote)
{
	if (lo_addr_is_v4mapped(remote))
		return ((const __u8 *)remote)[12] == 127 ? lo_loopback4 : *remote;
	return lo_addr_eq(remote, &lo_control6) ? lo_loopback6 : *remote;
}
